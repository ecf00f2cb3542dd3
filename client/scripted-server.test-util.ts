// A real in-process WebSocket server for the client's unit tests: it speaks
// just enough RTC to answer commands, and lets a test script replies,
// silences, delays, event pushes and closes.
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';

/** One command the server received. */
export interface Received {
  command: string;
  correlation_id: unknown;
  arguments?: any;
  peer: Peer;
}

/** What to answer a command with: a response, an error, or nothing at all (`null`). */
export type Reply = { response?: unknown; error?: { code: number; info: string } } | null;

/** One client connection as the server sees it. */
export interface Peer {
  ws: WebSocket;
  /** The token the client connected with (from the URL). */
  token: string | null;
  send(message: unknown): void;
  event(channel: string, payload: unknown, eventName?: string | null): void;
  close(code?: number, reason?: string): void;
  /** Cuts the link without a close frame, like a vanished network. */
  kill(): void;
}

export interface ScriptedServer {
  url: string;
  peers: Peer[];
  /**
   * Commands received, except the ping a client sends when nothing else is in flight on a new link to learn
   * that its token was accepted: that one is answered at once (unless `verify` refuses the token) and counted
   * in `handshakes` instead, so tests see only the commands they caused.
   */
  received: Received[];
  handshakes: number;
  /** Checks a connecting peer's token: a string refuses it like the reference server (error 3, then close 4001). */
  verify: (token: string | null) => string | undefined;
  /** Decides the reply to each command; the default answers `{}` (and `ping` with a pong). */
  reply: (command: Received) => Reply | Promise<Reply>;
  /** When true, handshakes are refused with 503 (a server that is "down"). */
  refuse: boolean;
  /** Handshakes attempted, refused or not. */
  attempts: number;
  nextPeer(): Promise<Peer>;
  /** Commands of one name received so far. */
  commands(name: string): Received[];
  /** Waits until `predicate` holds, polling. */
  until(predicate: () => boolean, timeout?: number): Promise<void>;
  close(): Promise<void>;
}

const defaultReply = (command: Received): Reply => ({ response: command.command === 'ping' ? { pong: true, time: Date.now() } : {} });

export async function startScriptedServer(): Promise<ScriptedServer> {
  // A refusing server answers the handshake with 503, so the client never sees the link open.
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: (_, done) => done(!server.refuse, 503, void server.attempts++) });
  await once(wss, 'listening');
  const address = wss.address() as { port: number };
  const waiting: Array<(peer: Peer) => void> = [];
  const server: ScriptedServer = {
    url: `ws://127.0.0.1:${address.port}/rtc`,
    peers: [],
    received: [],
    handshakes: 0,
    verify: () => undefined,
    reply: defaultReply,
    refuse: false,
    attempts: 0,
    nextPeer: () => new Promise((resolve) => waiting.push(resolve)),
    commands: (name) => server.received.filter((r) => r.command === name),
    async until(predicate, timeout = 4_000) {
      const start = Date.now();
      while (!predicate()) {
        if (Date.now() - start > timeout) throw new Error(`condition not met within ${timeout} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  wss.on('connection', (ws, request) => {
    const token = new URL(request.url ?? '/', 'http://x').searchParams.get('access_token');
    const peer: Peer = {
      ws,
      token,
      send: (message) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message)),
      event: (channel, payload, eventName = null) =>
        peer.send({
          type: 'event',
          data: { action: 'published', resource: { type: 'channel', name: channel }, modifier: { id: 'x' }, timestamp: new Date().toISOString(), data: { eventName, payload } },
        }),
      close: (code = 1000, reason = '') => ws.close(code, reason),
      kill: () => ws.terminate(),
    };
    server.peers.push(peer);
    const refusal = server.verify(token);
    if (refusal !== undefined) {
      peer.send({ type: 'command response', data: { request: null, error: { code: 3, info: refusal } } });
      peer.close(4001, refusal);
    }
    let first = true;
    // Frames are answered one at a time, in order, like the reference server.
    let queue = Promise.resolve();
    ws.on('message', (raw) => {
      queue = queue.then(async () => {
        const frame = JSON.parse(raw.toString());
        if (refusal !== undefined) return;
        const handshake = first && frame.data?.command === 'ping';
        first = false;
        if (handshake) {
          server.handshakes++;
          return peer.send({ type: 'command response', data: { request: frame, response: { pong: true, time: Date.now() } } });
        }
        const received: Received = { ...frame.data, peer };
        server.received.push(received);
        const reply = await server.reply(received);
        // The protocol's echo: a copy of the whole request message.
        if (reply) peer.send({ type: 'command response', data: { request: frame, ...reply } });
      });
    });
    waiting.shift()?.(peer);
  });
  return server;
}

/** A JWT-shaped token (unsigned) with the given `exp` in seconds. */
export function fakeJwt(exp: number, sub = 'alice'): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, exp })}.c2ln`;
}

type Handler = () => void;

/** An injectable environment the test fires by hand; counts its listeners so leaks show. */
export function fakeEnvironment() {
  const handlers = new Map<string, Set<Handler>>();
  return {
    source: (event: string, handler: Handler) => {
      const set = handlers.get(event) ?? new Set();
      handlers.set(event, set.add(handler));
      return () => void set.delete(handler);
    },
    fire: (event: 'online' | 'offline' | 'visible') => handlers.get(event)?.forEach((h) => h()),
    get listeners() {
      return [...handlers.values()].reduce((n, set) => n + set.size, 0);
    },
  };
}

/** Resolves at the next `state` event with this state. */
export function nextState(client: { on(event: 'state', handler: (change: { state: string; reason: string }) => void): () => void }, state: string): Promise<{ state: string; reason: string }> {
  return new Promise((resolve) => {
    const off = client.on('state', (change) => {
      if (change.state !== state) return;
      off();
      resolve(change);
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
