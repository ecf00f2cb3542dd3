import { afterEach, expect } from 'vitest';
import WebSocket from 'ws';
import type { Clock } from '../ops/clock.js';
import { createServer, silentLogger, type RtmServer, type ServerOptions } from '../index.js';

/** Test secret (32 bytes) and API key. */
export const SECRET = 's'.repeat(32);
export const API_KEY = 'test-api-key-0123456789';

/** Starts a server on a random port with a known secret and key; logs are discarded unless a logger is given. */
export async function startServer(options: ServerOptions = {}): Promise<RtmServer & { ws: string }> {
  const server = createServer({ port: 0, secret: SECRET, apiKey: API_KEY, logger: silentLogger, ...options });
  await server.listen();
  return Object.assign(server, { ws: server.url.replace(/^http/, 'ws') });
}

/** Returns a `start` like {@link startServer} whose servers are all closed after each test of the calling file. */
export function useServers(): (options?: ServerOptions) => ReturnType<typeof startServer> {
  const servers: RtmServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const server = await startServer(options);
    servers.push(server);
    return server;
  };
}

/** The legacy endpoint turned on, as production needs it (a secret is set): an Origin allow-list and the channels it carries. */
export const LEGACY_ON = { legacy: true, origins: ['https://apex.example.com'], legacyChannels: ['*'] } satisfies ServerOptions;

/** A raw WebSocket peer that collects every frame it receives. */
export interface Peer {
  ws: WebSocket;
  /** Every parsed frame received so far. */
  received: any[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  /** The next frame not yet taken (in order), within `timeoutMs`. */
  next(timeoutMs?: number): Promise<any>;
  /** The next frame (in order) matching `predicate`; frames skipped on the way stay available to next(). */
  waitFor(predicate: (message: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Sends a command and resolves with its response's `data` (matched by correlation_id). */
  command(name: string, args?: unknown, id?: unknown): Promise<any>;
  close(): Promise<void>;
}

let nextId = 0;

/**
 * Waits for frames as they are pushed onto `received`: `find` resolves with the first one not yet taken that
 * matches (rejecting after `timeoutMs`); call `notify` after each push.
 */
export function frameFinder(received: any[]): { find(predicate: (m: any) => boolean, timeoutMs: number): Promise<any>; notify(): void } {
  const waiters = new Set<() => void>();
  const consumed = new WeakSet<object>();
  const find = (predicate: (m: any) => boolean, timeoutMs: number): Promise<any> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const message = received.find((m) => !consumed.has(m) && predicate(m));
        if (message === undefined) return false;
        consumed.add(message);
        resolve(message);
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(received).slice(-800)}`));
      }, timeoutMs);
      const wake = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(wake);
      };
      waiters.add(wake);
    });
  return { find, notify: () => waiters.forEach((wake) => wake()) };
}

/** Opens a peer at `url`; resolves once open (rejects on a refused handshake). */
export function openPeer(url: string, options: WebSocket.ClientOptions = {}): Promise<Peer> {
  const ws = new WebSocket(url, { ...options });
  const received: any[] = [];
  const { find, notify } = frameFinder(received);
  ws.on('message', (data) => {
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      message = { unparsed: data.toString() };
    }
    if (typeof message !== 'object' || message === null) {
      message = { unparsed: message };
    }
    received.push(message);
    notify();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const peer: Peer = {
    ws,
    received,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (timeoutMs = 2_000) => find(() => true, timeoutMs),
    waitFor: (predicate, timeoutMs = 2_000) => find(predicate, timeoutMs),
    async command(name, args, id = `c${++nextId}`) {
      peer.send(command(name, args, id));
      const response = await peer.waitFor((m) => m.type === 'command response' && JSON.stringify(m.data.request?.data?.correlation_id) === JSON.stringify(id));
      return response.data;
    },
    close: async () => {
      if (ws.readyState === ws.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(peer));
    ws.once('error', reject);
  });
}

/** Opens an RTC peer for `sub` with a fresh one-hour token in the URL. */
export async function rtcPeer(server: RtmServer & { ws: string }, sub = 'alice', options: WebSocket.ClientOptions = {}): Promise<Peer> {
  return openPeer(`${server.ws}/rtc?access_token=${await server.auth.sign(sub, 3600)}`, options);
}

/** An RTC command frame. */
export const command = (name: string, args?: unknown, id: unknown = 1) => ({
  type: 'command',
  data: { command: name, correlation_id: id, ...(args === undefined ? {} : { arguments: args }) },
});

/** The response to a subscribe that asked for positions (an extension): RTC's `{}` plus the stream position. */
export const SUBSCRIBED = { epoch: expect.any(String), offset: expect.any(Number) };

/** Subscribe arguments for a channel, asking for positions like the rtm-kit client does. */
export const channelArgs = (name: string) => ({ action: ['published'], resource: { type: 'channel', name }, positions: true });

/** POSTs JSON to the server's REST API with the test key (unless headers say otherwise). */
export function post(server: RtmServer, path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': API_KEY }): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Reads one Prometheus sample, e.g. metric(text, 'rtm_connections', '{endpoint="rtc",transport="websocket"}'). */
export function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** A clock that moves only when told to; timers fire in order of due time. */
export class ManualClock implements Clock {
  private timers: Array<{ due: number; fn: () => void; id: number }> = [];
  private ids = 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { due: this.current + Math.max(0, ms), fn, id: ++this.ids };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = due.due;
      due.fn();
    }
    this.current = target;
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.timers.length;
  }
}
