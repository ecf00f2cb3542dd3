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
    access_token: await rtm.auth.sign('sdk-user', options.ttl ?? 3600, options.rights ? { rtm: options.rights } : {}),
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
 * The SDK opens two sockets at init and uses only the second; the first gets
 * no message handler, so it never answers a reminder and the server closes it
 * at its token's exp + grace, upon which the SDK forgets its active socket
 * too and reconnects 10 s later. So, as the README advises, a socket is
 * closed with the SDK's own "intended" code 4999 once a newer one is open.
 */
export function socketSpy(rtmWs: string): { build: (url: string) => WebSocket; sockets: SpiedSocket[]; closeAll(): void } {
  const sockets: SpiedSocket[] = [];
  return {
    sockets,
    build(url) {
      const target = url.replace(/^wss?:\/\/[^/]+/, rtmWs);
      const ws = new WebSocket(target);
      const spied: SpiedSocket = { ws, url: target, sent: [], received: [], closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))) };
      const send = ws.send.bind(ws);
      ws.send = ((data: string, ...rest: never[]) => {
        spied.sent.push(JSON.parse(data));
        return send(data, ...rest);
      }) as typeof ws.send;
      ws.on('message', (data) => spied.received.push(JSON.parse(data.toString())));
      ws.once('open', () => {
        for (const earlier of sockets) if (earlier !== spied && earlier.ws.readyState === earlier.ws.OPEN) earlier.ws.close(4999, 'replaced');
      });
      sockets.push(spied);
      return ws;
    },
    closeAll() {
      for (const { ws } of sockets) {
        // The SDK never closes the first of its two sockets, and on any close but its own (4999) schedules a
        // reconnect 10 s later, after the test, when its tokens are gone: unhook it before closing.
        ws.onclose = null;
        ws.terminate();
      }
    },
  };
}

/** Waits until `check` holds, polling; fails with `what` if it never does. */
export async function until(check: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!check()) throw new Error(`never happened: ${what}`);
}
