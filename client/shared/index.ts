/**
 * rtm-kit with one connection for all tabs of an origin (`rtm-kit/shared`).
 * Everything `rtm-kit` exports, and a {@link createClient} that takes
 * `shared: true`: the tabs of the same origin connecting to the same URL as
 * the same user (`sub`) then share one server connection, held by a
 * SharedWorker or, where there is none, by a tab elected with Web Locks.
 *
 * @example
 * ```ts
 * import { createClient } from 'rtm-kit/shared';
 * const client = createClient({ url: 'wss://rtm.example.com/rtc', token: () => fetchToken(), shared: true });
 * client.channel('room:42').on((payload) => console.log(payload));
 * console.log(client.shared); // 'worker', 'election', or false
 * ```
 * @packageDocumentation
 */
import { createClient as createOwnClient, type ClientOptions, type RtmClient } from '../client.js';
import { RtmError, UnauthorizedError } from '../errors.js';
import type { Environment, EnvironmentEvent } from '../environment.js';
import { browserEnvironment } from '../environment.js';
import { ElectionTransport } from './election.js';
import { linkKey } from './link-key.js';
import type { SharedClientSettings } from './messages.js';
import { PageLink } from './page-link.js';
import { broadcastChannel, locks, sharedWorker } from './platform.js';
import { WorkerTransport } from './worker-transport.js';

export * from '../index.js';

/** How a shared client reaches its connection: through a SharedWorker, a leader tab, or (false) a connection of its own. */
export type SharedMode = 'worker' | 'election' | false;

/** Settings of the shared mode. */
export interface SharedOptions {
  /** URL of `rtm-shared-worker.js` (same origin as the page). Default: next to this module. */
  workerUrl?: string | URL;
  /** `false` never uses a SharedWorker, only leader election (or a connection per tab). */
  worker?: boolean;
}

/** Settings of {@link createClient}: the core client's, and `shared`. */
export interface SharedClientOptions extends ClientOptions {
  /** `true` (or settings) shares one connection among the tabs of this origin, URL and user. Default false. */
  shared?: boolean | SharedOptions;
}

/** A client, as from `rtm-kit`, that tells how it is connected. */
export interface SharedRtmClient extends RtmClient {
  /**
   * `worker` or `election` while the client uses the shared connection,
   * false while it has one of its own: not asked to share, no mechanism in
   * this browser, or a token without `sub`.
   */
  readonly shared: SharedMode;
}

let pageLink: PageLink | undefined;
let pageWorkerUrl: string | undefined;

function defaultWorkerUrl(): string | undefined {
  try {
    return new URL('./rtm-shared-worker.js', import.meta.url).toString();
  } catch {
    // A bundle without import.meta (a script tag): the caller says where the worker is, or leader election serves.
    return undefined;
  }
}

/** The link of this page, made on first use with the mechanism the platform offers. */
function linkOf(options: SharedOptions): PageLink {
  const url = options.workerUrl ?? defaultWorkerUrl();
  if (pageLink && (url === undefined ? undefined : String(url)) !== pageWorkerUrl && pageWorkerUrl !== undefined && url !== undefined) {
    throw new RtmError('bad_argument', `shared.workerUrl differs from the one this page already uses (${pageWorkerUrl})`);
  }
  if (pageLink) return pageLink;
  pageWorkerUrl = url === undefined ? undefined : String(url);
  let workerTried = options.worker === false;
  return (pageLink = new PageLink((events, tab) => {
    const Worker = sharedWorker();
    if (!workerTried && Worker && pageWorkerUrl) {
      workerTried = true;
      try {
        return new WorkerTransport(pageWorkerUrl, Worker, events);
      } catch {
        // Refused (another origin, a sandbox): leader election instead.
      }
    }
    const Channel = broadcastChannel();
    const manager = locks();
    return Channel && manager ? new ElectionTransport(tab, Channel, manager, events) : undefined;
  }));
}

/**
 * Creates a client and starts connecting, like `rtm-kit`'s `createClient`.
 * With `shared`, the tabs of this origin that connect to the same URL as the
 * same user share one server connection, each with the whole client API.
 * Throws an `RtmError` (`bad_argument`) for invalid options.
 */
export function createClient(options: SharedClientOptions): SharedRtmClient {
  const { shared = false, ...own } = options ?? ({} as SharedClientOptions);
  if (typeof shared !== 'boolean' && (typeof shared !== 'object' || shared === null)) {
    throw new RtmError('bad_argument', `shared must be true, false or { workerUrl, worker } (got ${JSON.stringify(shared)})`);
  }
  if (!shared) return Object.assign(createOwnClient(own), { shared: false as const });
  const link = linkOf(shared === true ? {} : shared);
  const { url, token: provider, environment = browserEnvironment } = own;
  let key: string | undefined;
  let stopMinting = (): void => {};
  let sharing = false;
  const learn = (token: string): string => {
    const found = typeof url === 'string' ? linkKey(url, token)?.key : undefined;
    if (found !== key) {
      stopMinting();
      key = found;
      stopMinting = key === undefined ? () => {} : link.addMinter(key, typeof provider === 'function' ? async () => provider() : async () => provider as string);
    }
    return token;
  };
  // The first token comes from the page (it names the user, so the link); later ones from the link, which refreshes once for all tabs.
  const token =
    typeof provider !== 'function'
      ? provider
      : async (): Promise<string> => {
          if (key !== undefined && link.mode) {
            try {
              return await link.token(key);
            } catch (error) {
              if (error instanceof Error && error.name === 'UnauthorizedError') throw new UnauthorizedError(error.message);
              // No answer (a handover under way): the page's own function is just as good.
            }
          }
          return learn(await provider());
        };
  if (typeof provider === 'string') learn(provider);
  const settings: SharedClientSettings = {};
  for (const name of ['reconnect', 'connectTimeout', 'requestTimeout', 'maxQueued', 'pingInterval', 'pingTimeout'] as const) {
    if (own[name] !== undefined) (settings as Record<string, unknown>)[name] = own[name];
  }
  const Real = own.WebSocket ?? (globalThis as { WebSocket?: ClientOptions['WebSocket'] }).WebSocket;
  // A new host is ready: reconnect now rather than after the backoff, as when the network comes back.
  const onHost: Environment = (event: EnvironmentEvent, handler) => {
    const off = environment(event, handler);
    if (event !== 'online') return off;
    const stop = link.onHost(handler);
    return () => {
      off();
      stop();
    };
  };
  const client = createOwnClient({
    ...own,
    // The virtual socket is the tab's only way to the shared connection: a step down to HTTP would bypass it.
    transports: ['websocket'],
    token,
    // An environment that is not a function is the core's to refuse, in its words.
    environment: typeof environment === 'function' ? onHost : environment,
    WebSocket: link.socketClass(settings, Real, (used) => (sharing = used)),
  });
  client.on('state', ({ state }) => void (state === 'closed' && stopMinting()));
  return Object.defineProperty(client, 'shared', { get: () => (sharing ? link.mode : false), enumerable: true }) as SharedRtmClient;
}
