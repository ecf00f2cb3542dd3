import type { RtmClient, TokenProvider } from '../client/index.js';
import { createClient, RtmError, UnauthorizedError } from './client-api.js';
import { bad } from './errors.js';

/** The page's connection settings, shared by every widget on the page. */
export interface PageConnectionConfig {
  /** WebSocket endpoint. A relative URL such as `/rtc` is resolved against the page (http→ws, https→wss). */
  url: string;
  /** A JWT or a function returning one. */
  token?: TokenProvider;
  /** A URL answering a fresh token, as JSON `{ "token": "…" }` or plain text. Used when `token` is not given. */
  tokenUrl?: string;
  /**
   * Share one connection among the tabs of this origin and user (see `rtm-kit/shared`). Needs the shared mode:
   * the script tag `rtm-shared.iife.min.js`, or `enableShared(createClient)` with `rtm-kit/shared`'s `createClient`.
   */
  shared?: boolean;
}

/** A `createClient` that also takes `shared`, as `rtm-kit/shared` exports it. */
export type SharedClientFactory = (options: Parameters<typeof createClient>[0] & { shared?: boolean }) => RtmClient;

let sharedFactory: SharedClientFactory | undefined;

/** Lets {@link configure} honour `shared: true`, with `rtm-kit/shared`'s `createClient` (the shared script-tag bundle does it itself). */
export function enableShared(factory: SharedClientFactory): void {
  sharedFactory = factory;
}

let client: RtmClient | undefined;
let configuredKey: string | undefined;
let sub: string | undefined;
let found: (client: RtmClient) => void;
const ready = new Promise<RtmClient>((resolve) => (found = resolve));

/**
 * Sets the page's connection. Every widget shares this one connection,
 * however many there are. Calling it again with the same settings does
 * nothing; other settings are refused, because live widgets hold the first.
 */
export function configure(config: PageConnectionConfig): RtmClient {
  const { url, token: given, tokenUrl, shared = false } = config ?? {};
  const wrong = typeof url !== 'string' || !url ? 'url' : !['string', 'undefined'].includes(typeof tokenUrl) ? 'tokenUrl' : !['string', 'function'].includes(typeof (given ?? tokenUrl)) && 'token';
  if (wrong) throw bad(wrong, config?.[wrong]);
  if (shared && !sharedFactory) throw new RtmError('bad_argument', 'shared: needs rtm-shared.iife.min.js or enableShared()');
  const key = JSON.stringify([url, typeof given === 'function' ? 'function' : given, tokenUrl, shared]);
  if (client) {
    if (key === configuredKey) return client;
    throw new RtmError('bad_argument', 'already configured');
  }
  const token = given ?? fetchToken(tokenUrl!);
  const options = { url: webSocketUrl(url), token: typeof token === 'string' ? remember(token) : async () => remember(await token()) };
  client = shared ? sharedFactory!({ ...options, shared }) : createClient(options);
  configuredKey = key;
  found(client);
  return client;
}

/** True once the page's connection is configured. */
export function configured(): boolean {
  return client !== undefined;
}

/** The identity (`sub`) of the page's current token, once it has one. */
export function ownSub(): string | undefined {
  return sub;
}

/** Notes the `sub` of each token the page uses, so widgets can tell the page's own messages. */
function remember(token: string): string {
  try {
    // atob gives one char per byte; escape + decodeURIComponent read them as UTF-8, so a sub such as "MÜLLER" matches the modifier the server sends.
    sub = JSON.parse(decodeURIComponent(escape(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))))).sub;
  } catch {
    sub = undefined;
  }
  return token;
}

/** Resolves with the page's client once {@link configure} has been called. */
export function pageClient(): Promise<RtmClient> {
  return ready;
}

/**
 * `url` resolved against the page, with http(s) turned into ws(s). With `rtc`, a URL without a path (the original
 * APEX plug-in's `wss://host`) gets rtm-kit's endpoint `/rtc`.
 */
export function webSocketUrl(url: string, rtc?: boolean): string {
  const resolved = new URL(url, typeof location === 'undefined' ? undefined : location.href);
  resolved.protocol = resolved.protocol.replace(/^http/, 'ws');
  if (rtc && resolved.pathname === '/') resolved.pathname = '/rtc';
  return resolved.toString();
}

/**
 * The error for a token source (`tokenUrl`, the APEX token callback) that failed with `status`. 401/403 mean the user
 * is logged out: as UnauthorizedError, the client stops instead of retrying for ever. Anything else is retried.
 */
export function tokenFailure(source: string, status: unknown): Error {
  const why = `${source}: ${String(status)}`;
  return status === 401 || status === 403 ? new UnauthorizedError(why) : new RtmError('token', why);
}

function fetchToken(tokenUrl: string): () => Promise<string> {
  return async () => {
    const response = await fetch(tokenUrl, { cache: 'no-store' }); // with the page's cookies: credentials are same-origin by default
    if (!response.ok) throw tokenFailure('tokenUrl', response.status);
    const text = (await response.text()).trim();
    if (!text.startsWith('{')) return text;
    const { token } = JSON.parse(text) as { token?: unknown };
    if (typeof token === 'string') return token;
    throw tokenFailure('tokenUrl', 'no "token"');
  };
}
