import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { backoffDelay, RECONNECT_FIRST_SPREAD } from './backoff.js';
import { createClient, RtmError, type RtmClient, type StateChange } from './index.js';

/** A scripted RTC server: records every frame and lets each test decide the replies. */
async function scriptedServer(reply: (frame: any, socket: ServerSocket) => void = ackAll) {
  const wss = new WebSocketServer({ port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const frames: any[] = [];
  const sockets: ServerSocket[] = [];
  const urls: string[] = [];
  wss.on('connection', (socket, req) => {
    sockets.push(socket);
    urls.push(req.url ?? '');
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      frames.push(frame);
      reply(frame, socket);
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/rtc`,
    frames,
    sockets,
    urls,
    commands: (name: string) => frames.filter((f) => f.data?.command === name),
    close: () => new Promise<void>((resolve) => {
      for (const s of wss.clients) s.terminate();
      wss.close(() => resolve());
    }),
  };
}

function ackAll(frame: any, socket: ServerSocket): void {
  socket.send(JSON.stringify({ type: 'command response', data: { request: frame, response: {} } }));
}

function channelEvent(channel: string, eventName: string | null, payload: unknown, modifier = 'bob') {
  return JSON.stringify({
    type: 'event',
    data: { action: 'published', resource: { type: 'channel', name: channel }, modifier: { id: modifier }, timestamp: '2026-01-01T00:00:00Z', data: { eventName, payload } },
  });
}

const clients: RtmClient[] = [];
const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function setup(reply?: (frame: any, socket: ServerSocket) => void, token: string | (() => Promise<string>) = 'tok') {
  const server = await scriptedServer(reply);
  servers.push(server);
  const client = createClient({ url: server.url, token, WebSocket, reconnect: { minDelay: 10, maxDelay: 50 } });
  clients.push(client);
  return { server, client };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('requests', () => {
  it('gives every command a unique correlation_id and matches responses by it, even out of order', async () => {
    const held: Array<[any, ServerSocket]> = [];
    const { client } = await setup((frame, socket) => {
      held.push([frame, socket]);
      if (held.length < 3) return;
      // Answer in reverse order, each response naming its own request.
      for (const [f, s] of held.reverse()) s.send(JSON.stringify({ type: 'command response', data: { request: f.data, response: { echo: f.data.arguments.n } } }));
    });
    const results = await Promise.all([1, 2, 3].map((n) => client.request('ping', { n })));
    expect(results).toEqual([{ echo: 1 }, { echo: 2 }, { echo: 3 }]);
    const ids = held.map(([f]) => f.data.correlation_id);
    expect(new Set(ids).size).toBe(3);
  });

  it('resolves a publish with the server response and rejects an error response with RtmError {code, info}', async () => {
    const { client, server } = await setup((frame, socket) => {
      const error = frame.data.arguments?.channel === 'forbidden' ? { code: 2, info: 'not allowed' } : undefined;
      socket.send(JSON.stringify({ type: 'command response', data: { request: frame, ...(error ? { error } : { response: { ok: 1 } }) } }));
    });
    await expect(client.channel('test').publish('ping', { text: 'hi' })).resolves.toEqual({ ok: 1 });
    expect(server.commands('publish')[0].data.arguments).toEqual({ channel: 'test', data: { eventName: 'ping', payload: { text: 'hi' } } });
    const failure = await client.channel('forbidden').publish('ping', 1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RtmError);
    expect(failure).toMatchObject({ code: 2, info: 'not allowed' });
  });

  it('rejects with a timeout error when no response comes', async () => {
    const { client } = await setup(() => {});
    await expect(client.request('ping', undefined, { timeout: 50 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('holds commands issued before the connection opens and sends them in order once it does', async () => {
    const { client, server } = await setup();
    const sent = [client.channel('a').publish('e', 1), client.channel('a').publish('e', 2)];
    await Promise.all(sent);
    expect(server.commands('publish').map((f) => f.data.arguments.data.payload)).toEqual([1, 2]);
  });

  it('refuses invalid channel names and a missing handler with bad_argument', async () => {
    const { client } = await setup();
    expect(() => client.channel('no\ncontrol characters')).toThrowError(RtmError);
    expect(() => client.channel('x'.repeat(261))).toThrowError(RtmError);
    expect(() => client.channel('test').on('x', undefined as never)).toThrowError(/handler/);
  });
  it('keeps a publish made while the socket is closing in its own outbox: sent once on the next link, never reported lost', async () => {
    const { client, server } = await setup();
    await client.ready();
    // A close frame whose answer the server never reads: the client socket stays CLOSING while the client still counts as open.
    const socket = server.sockets[0]!;
    socket.pause();
    socket.close(1000);
    await new Promise((r) => setTimeout(r, 50));
    const publish = client.channel('test').publish('e', 'while closing');
    await new Promise((r) => setTimeout(r, 20));
    socket.terminate();
    await expect(publish).resolves.toEqual({});
    const sent = server.commands('publish');
    expect(sent).toHaveLength(1);
    expect(server.sockets).toHaveLength(2);
  });
});

describe('channels', () => {
  it('shares one server subscription between listeners, filters by event name and unsubscribes after the last', async () => {
    const { client, server } = await setup();
    const all: unknown[] = [];
    const pings: Array<[unknown, unknown]> = [];
    const stopAll = client.channel('test').on((payload) => all.push(payload));
    const stopPing = client.channel('test').on('ping', (payload, meta) => pings.push([payload, meta]));
    await until(() => server.commands('subscribe').length === 1, 'subscribe');
    await new Promise((r) => setTimeout(r, 30));
    expect(server.commands('subscribe')).toHaveLength(1);
    // Positions are an opt-in extension of RTC; this client always asks for them.
    expect(server.commands('subscribe')[0].data.arguments).toEqual({ action: ['published'], resource: { type: 'channel', name: 'test' }, positions: true });

    server.sockets[0]!.send(channelEvent('test', 'ping', { n: 1 }));
    server.sockets[0]!.send(channelEvent('test', 'pong', { n: 2 }));
    server.sockets[0]!.send(channelEvent('other', 'ping', { n: 3 }));
    await until(() => all.length === 2, 'events');
    expect(all).toEqual([{ n: 1 }, { n: 2 }]);
    expect(pings).toEqual([[{ n: 1 }, { channel: 'test', eventName: 'ping', modifier: 'bob', timestamp: '2026-01-01T00:00:00Z' }]]);

    stopAll();
    await new Promise((r) => setTimeout(r, 30));
    expect(server.commands('unsubscribe')).toHaveLength(0);
    stopPing();
    stopPing();
    await until(() => server.commands('unsubscribe').length === 1, 'unsubscribe');
  });

  it('keeps calling the other listeners when one throws, and reports the error', async () => {
    const { client, server } = await setup();
    const errors: RtmError[] = [];
    client.on('error', (e) => errors.push(e));
    const seen: string[] = [];
    client.channel('test').on(() => {
      throw new Error('boom');
    });
    client.channel('test').on(() => seen.push('second'));
    await until(() => server.commands('subscribe').length === 1, 'subscribe');
    server.sockets[0]!.send(channelEvent('test', 'x', 1));
    await until(() => seen.length === 1, 'second listener');
    expect(errors.map((e) => e.code)).toEqual(['handler']);
  });

  it('resubscribes exactly once after the server drops the link, and delivers each later event once', async () => {
    const { client, server } = await setup();
    const got: unknown[] = [];
    client.channel('test').on((payload) => got.push(payload));
    await until(() => server.commands('subscribe').length === 1, 'first subscribe');
    server.sockets[0]!.terminate();
    await until(() => server.sockets.length === 2 && server.commands('subscribe').length === 2, 'resubscribe');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.commands('subscribe')).toHaveLength(2);
    server.sockets[1]!.send(channelEvent('test', 'x', 'after'));
    await until(() => got.length === 1, 'event after reconnect');
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual(['after']);
  });
});

describe('connection', () => {
  it('reports idle → connecting → open, puts the token in the URL, and closes for good', async () => {
    const server = await scriptedServer();
    servers.push(server);
    const client = createClient({ url: server.url, token: async () => 'fresh-token', WebSocket });
    clients.push(client);
    const changes: StateChange[] = [];
    client.on('state', (c) => changes.push(c));
    await client.ready();
    expect(server.urls[0]).toBe('/rtc?session=1&access_token=fresh-token');
    const pending = client.request('ping', undefined).catch((e: unknown) => e);
    client.close();
    expect(client.state).toBe('closed');
    expect(await pending).toMatchObject({ code: 'closed' });
    // Connecting starts on the next microtask: a listener added right after createClient sees idle → connecting.
    expect(changes.map((c) => `${c.previous}→${c.state}`)).toEqual(['idle→connecting', 'connecting→open', 'open→closed']);
    await expect(client.ready()).rejects.toMatchObject({ code: 'closed' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.sockets).toHaveLength(1);
  });

  it('rejects commands that were sent when the link drops with a disconnected error', async () => {
    const { client, server } = await setup(() => {});
    await until(() => client.state === 'open', 'open');
    const pending = client.request('ping').catch((e: unknown) => e);
    // The first ping is the client's own, sent on open to learn whether the token was accepted.
    await until(() => server.commands('ping').length === 2, 'ping sent');
    server.sockets[0]!.terminate();
    expect(await pending).toMatchObject({ code: 'disconnected' });
  });

  it('stops, with an unauthorized error, when the server closes with 4001 (token rejected)', async () => {
    const server = await scriptedServer();
    servers.push(server);
    const client = createClient({ url: server.url, token: 'bad', WebSocket, reconnect: { minDelay: 10, maxDelay: 20 } });
    clients.push(client);
    const errors: RtmError[] = [];
    client.on('error', (e) => errors.push(e));
    await client.ready();
    server.sockets[0]!.close(4001, 'token is invalid');
    await until(() => client.state === 'closed', 'closed');
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    await new Promise((r) => setTimeout(r, 80));
    expect(server.sockets).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('stays within [min, min(max, min·2^attempt)] and spreads clients across that range', () => {
    const options = { minDelay: 500, maxDelay: 20_000 };
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 1)).toBe(1_000);
    expect(backoffDelay(3, options, () => 1)).toBe(4_000);
    expect(backoffDelay(10, options, () => 1)).toBe(20_000);
    const spread = new Set(Array.from({ length: 50 }, () => Math.round(backoffDelay(4, options))));
    expect(spread.size).toBeGreaterThan(40);
  });

  it('widens the first windows for the reconnect herd (full jitter over [min, 5·min]) and keeps doubling after', () => {
    const options = { minDelay: 500, maxDelay: 20_000 };
    expect(backoffDelay(1, options, () => 0, RECONNECT_FIRST_SPREAD)).toBe(500);
    expect(backoffDelay(1, options, () => 1, RECONNECT_FIRST_SPREAD)).toBe(2_500);
    expect(backoffDelay(2, options, () => 1, RECONNECT_FIRST_SPREAD)).toBe(2_500);
    expect(backoffDelay(3, options, () => 1, RECONNECT_FIRST_SPREAD)).toBe(4_000);
    expect(backoffDelay(1, { minDelay: 500, maxDelay: 1_000 }, () => 1, RECONNECT_FIRST_SPREAD)).toBe(1_000);
  });
});

describe('messages to one session', () => {
  it('learns its session id from the opt-in notification, hands messages on session:<id> to direct listeners, and hides the notification', async () => {
    const { server, client } = await setup();
    const notifications: unknown[] = [];
    const direct: unknown[] = [];
    const channel: unknown[] = [];
    client.on('notification', (n) => notifications.push(n));
    client.on('direct', (payload, meta) => direct.push([payload, meta]));
    client.channel('session:other').on((payload) => channel.push(payload));
    await client.ready();
    expect(client.session).toBeUndefined();
    const socket = server.sockets[0]!;
    socket.send(JSON.stringify({ type: 'notification', data: { code: 100, info: 'the id of this connection', data: { id: 'abc.123' } } }));
    socket.send(channelEvent('session:abc.123', 'nudge', { n: 1 }, 'api:default'));
    await expect.poll(() => direct.length).toBe(1);
    expect(client.session).toBe('abc.123');
    expect(direct).toEqual([[{ n: 1 }, { eventName: 'nudge', modifier: 'api:default', timestamp: '2026-01-01T00:00:00Z' }]]);
    expect(notifications).toEqual([]);
    // A new link is a new session: the id is forgotten until the server names the new one.
    socket.close(1001);
    await expect.poll(() => server.sockets.length).toBe(2);
    expect(client.session).toBeUndefined();
  });
});
