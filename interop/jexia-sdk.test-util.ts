// Runs the protocol's official client, jexia-sdk-js, in Node against a real rtm-server: a stub for its login, a spy on its sockets.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import WebSocket from 'ws';
import type { RtmServer } from '../server-mock/index.js';

type Sdk = typeof import('jexia-sdk-js/node.js');

const require = createRequire(import.meta.url);
const sdkRoot = dirname(require.resolve('jexia-sdk-js/package.json'));

/**
 * A fresh copy of jexia-sdk-js. Its realtime module keeps its pending calls and
 * subscriptions in module-level state, so each scenario loads its own.
 */
export function loadSdk(): Sdk {
  for (const key of Object.keys(require.cache)) if (key.startsWith(sdkRoot)) delete require.cache[key];
  // Its close handler tests `event instanceof CloseEvent`, a browser global Node 20 lacks; a close event of any WebSocket counts.
  (globalThis as Record<string, unknown>).CloseEvent ??= class CloseEvent {
    static [Symbol.hasInstance](event: unknown): boolean {
      return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'close' && 'code' in event;
    }
  };
  return require('jexia-sdk-js/node.js') as Sdk;
}

/** What the SDK's login stub was asked. */
export interface AuthStub {
  /** The `projectURL` to give the SDK. */
  url: string;
  /** Every request body, by path (`/auth`, `/auth/refresh`, …). */
  calls: Array<{ method: string; path: string; body: unknown }>;
  close(): Promise<void>;
}

/** Options of {@link authStub}. */
export interface AuthStubOptions {
  /** Seconds the access tokens it mints live. */
  ttl?: number;
  /** Their `sub`. Default `sdk-user`. */
  sub?: string;
  /** The `rtm` claim of the tokens. */
  rights?: { subscribe?: string[]; publish?: string[] };
  /** Answers other REST calls of the SDK (dataset operations); undefined answers 404. */
  rest?: (method: string, path: string, body: unknown) => Promise<unknown>;
}

/**
 * Jexia's login as the SDK calls it: `POST /auth` with the API key and
 * secret, then `POST /auth/refresh`, each answered `{access_token,
 * refresh_token}`, the access token minted with rtm-server's own secret.
 */
export async function authStub(rtm: RtmServer, options: AuthStubOptions = {}): Promise<AuthStub> {
  const calls: AuthStub['calls'] = [];
  let refreshes = 0;
  const mint = async () => ({
    access_token: await rtm.auth.sign(options.sub ?? 'sdk-user', options.ttl ?? 3600, options.rights ? { rtm: options.rights } : {}),
    refresh_token: `refresh-${++refreshes}`,
  });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const path = (req.url ?? '/').split('?')[0]!;
      calls.push({ method: req.method ?? '', path, body });
      const answer = path === '/auth' || path === '/auth/refresh' ? await mint() : await options.rest?.(req.method ?? '', req.url ?? '/', body);
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { message: 'not found' }));
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text === '' ? undefined : JSON.parse(text);
}

/** One socket the SDK opened, with every frame it sent and received. */
export interface SpiedSocket {
  ws: WebSocket;
  url: string;
  sent: any[];
  received: any[];
  closed: Promise<number>;
}

/**
 * The SDK's WebSocket builder (its public `realTime(builder)` option). The SDK
 * always dials `wss://<projectURL host>/rtc?access_token=…`; this one dials
 * the same path and query on rtm-server over plain ws, and records traffic.
 *
 * At init the SDK asks for two sockets (two listeners race to its first
 * token). Given two, it starts only the second, but as soon as the first is
 * open, so its first commands can hit a socket still connecting; and the
 * first, never answering a reminder, is closed at its token's exp + grace,
 * upon which the SDK forgets its active socket too. So, as docs/interop.md
 * advises, a builder hands back the socket it made while that one is
 * connecting or open; `requests` counts what the SDK asked for.
 */
export function socketSpy(rtmWs: string): { build: (url: string) => WebSocket; sockets: SpiedSocket[]; requests: number; closeAll(): void } {
  const sockets: SpiedSocket[] = [];
  const spy = {
    sockets,
    requests: 0,
    build(url: string): WebSocket {
      spy.requests += 1;
      const last = sockets[sockets.length - 1]?.ws;
      if (last && (last.readyState === last.CONNECTING || last.readyState === last.OPEN)) return last;
      const target = url.replace(/^wss?:\/\/[^/]+/, rtmWs);
      const ws = new WebSocket(target);
      const spied: SpiedSocket = { ws, url: target, sent: [], received: [], closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))) };
      const send = ws.send.bind(ws);
      ws.send = ((data: string, ...rest: never[]) => {
        spied.sent.push(JSON.parse(data));
        return send(data, ...rest);
      }) as typeof ws.send;
      ws.on('message', (data) => spied.received.push(JSON.parse(data.toString())));
      sockets.push(spied);
      return ws;
    },
    closeAll() {
      for (const { ws } of sockets) {
        // On any close but its own (4999) the SDK schedules a reconnect 10 s later, after the test, when its tokens are gone.
        ws.onclose = null;
        ws.terminate();
      }
    },
  };
  return spy;
}

/** Waits until `check` holds, polling; fails with `what` if it never does. */
export async function until(check: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!check()) throw new Error(`never happened: ${what}`);
}
