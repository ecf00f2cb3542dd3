import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { backoffDelay } from './backoff.js';
import { createClient, type ClientOptions, type RtmClient } from './client.js';
import { CLOSE_POLICY, closeAction } from './close-codes.js';
import { fakeEnvironment, nextState, sleep, startScriptedServer, type ScriptedServer } from './scripted-server.test-util.js';

let server: ScriptedServer;
let clients: RtmClient[] = [];
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await server.close();
});

const environment = fakeEnvironment();
function connect(options: Partial<ClientOptions> = {}): RtmClient {
  const client = createClient({ url: server.url, token: 'secret-token', WebSocket, reconnect: { minDelay: 10, maxDelay: 40 }, environment: environment.source, ...options });
  clients.push(client);
  return client;
}

describe('connection states', () => {
  it('goes idle → connecting → open → reconnecting → open → closed, each with previous state and reason', async () => {
    const client = connect();
    const changes: string[] = [];
    client.on('state', ({ previous, state, reason }) => changes.push(`${previous}>${state}:${reason}`));
    expect(client.state).toBe('idle');
    await client.ready();
    (await server.peers[0]!).close(1012, 'restart');
    await nextState(client, 'open');
    client.close();
    expect(client.state).toBe('closed');
    expect(changes).toEqual(['idle>connecting:connect', 'connecting>open:open', 'open>reconnecting:close 1012 restart', 'reconnecting>open:open', 'open>closed:client closed']);
    await expect(client.ready()).rejects.toMatchObject({ code: 'closed' });
  });

  it('a closed client stays closed: no reconnect, no further connections', async () => {
    const client = connect();
    await client.ready();
    client.close();
    await sleep(150);
    expect(server.peers).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('reconnect: false ends in closed after the first drop', async () => {
    const client = connect({ reconnect: false });
    await client.ready();
    server.peers[0]!.close(1011);
    expect((await nextState(client, 'closed')).reason).toMatch(/^close 1011/);
  });
});

describe('close-code policy', () => {
  it('follows the documented table', () => {
    expect(Object.fromEntries(Object.entries(CLOSE_POLICY))).toEqual({
      1001: 'retry', 1006: 'retry', 1011: 'retry', 1012: 'retry', 1013: 'retry', 4003: 'retry', 4002: 'refresh', 4001: 'stop', 1008: 'stop', 1009: 'retry',
    });
    expect(closeAction(1000)).toBe('retry');
  });

  it.each([1001, 1009, 1011, 1012, 1013, 4003])('close %i is retried', async (code) => {
    const client = connect();
    await client.ready();
    server.peers[0]!.close(code);
    await nextState(client, 'open');
    expect(server.peers).toHaveLength(2);
  });

  it('an abrupt loss (1006) is retried', async () => {
    const client = connect();
    await client.ready();
    server.peers[0]!.kill();
    expect((await nextState(client, 'reconnecting')).reason).toMatch(/^close 1006/);
    await nextState(client, 'open');
  });

  it.each([
    [4001, 'unauthorized'],
    [1008, 1008],
  ])('close %i stops for good and raises error %s', async (code, errorCode) => {
    const client = connect();
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error.code));
    await client.ready();
    server.peers[0]!.close(code, 'no');
    await nextState(client, 'closed');
    await sleep(100);
    expect(errors).toEqual([errorCode]);
    expect(server.peers).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('reconnect storms: delays are full-jitter in [min, min(max, min·2^n)] and spread', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(3));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4_000);
    expect(new Set(delays.map((d) => Math.round(d / 100))).size).toBeGreaterThan(20);
    expect(backoffDelay(40)).toBeLessThanOrEqual(20_000);
    expect(backoffDelay(1, { minDelay: 100, maxDelay: 100 }, () => 0.99)).toBe(100);
  });

  it('a down server sees attempts spaced by at least the backoff minimum, not a tight loop', async () => {
    server.refuse = true;
    // A load on the machine can only make the gaps longer, so a lower bound on each gap is a behaviour, not a timing.
    const minDelay = 100;
    const client = connect({ reconnect: { minDelay, maxDelay: 400 } });
    const seen: number[] = [];
    for (let n = 1; n <= 4; n++) {
      await server.until(() => server.attempts >= n, 30_000);
      seen.push(performance.now());
    }
    // Each attempt is seen within a poll of when it happened; allow that much on each side of a gap.
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeGreaterThanOrEqual(minDelay - 30);
    server.refuse = false;
    await client.ready();
  });
});

describe('browser awareness', () => {
  it('offline drops the link at once; online skips the remaining backoff', async () => {
    // A backoff longer than the test's own timeout: ready() resolves only if 'online' cut it short.
    const client = connect({ reconnect: { minDelay: 60_000, maxDelay: 60_000 } });
    await client.ready();
    environment.fire('offline');
    expect(client.state).toBe('reconnecting');
    environment.fire('online');
    await client.ready({ timeout: Number.POSITIVE_INFINITY });
  });

  it('bad configuration is a clear error at once, not endless retries', () => {
    for (const url of ['', 'http://example.com/rtc', '/rtc', 'ws:/x', undefined]) {
      expect(() => createClient({ url: url as string, token: 't', WebSocket })).toThrow(expect.objectContaining({ code: 'bad_argument' }));
    }
    expect(() => createClient({ url: server.url, token: 42 as unknown as string, WebSocket })).toThrow(/token/);
  });

  it('no stuck states: a missing WebSocket is a clear error, not a silent hang', () => {
    expect(() => createClient({ url: server.url, token: 't' })).toThrow(/WebSocket/);
  });

  it('no stuck states: a handshake that never completes times out and is retried until the server answers', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    const client = connect({ url: `ws://127.0.0.1:${port}/rtc`, connectTimeout: 100 });
    // Waited for, not slept on: a loaded machine may take longer than two timeouts to make a second attempt.
    await server.until(() => sockets.length > 1);
    expect(client.state).toBe('reconnecting');
    client.close();
    for (const s of sockets) s.destroy();
    silent.close();
  });
});

describe('release on close', () => {
  it('no leaks: close() releases sockets, timers, environment listeners and event handlers', async () => {
    const before = environment.listeners;
    const client = connect({ token: () => 'tok' });
    client.channel('a').on(() => {});
    await client.ready();
    expect(environment.listeners).toBe(before + 3);
    client.close();
    expect(client.stats()).toEqual({ subscriptions: 0, listeners: 0, pending: 0, queued: 0, timers: 0 });
    expect(environment.listeners).toBe(before);
    await server.until(() => server.peers[0]!.ws.readyState === WebSocket.CLOSED);
  });
});

describe('debug log', () => {
  it('logs state changes and frames with tokens redacted', async () => {
    const lines: string[] = [];
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const client = connect({ token: () => token, debug: (event, detail) => lines.push(`${event} ${detail}`) });
    await client.ready();
    await client.request('jwt replace', { token });
    const text = lines.join('\n');
    expect(text).toMatch(/state connecting -> open/);
    expect(text).toMatch(/send .*jwt replace/);
    expect(text).toMatch(/receive .*command response/);
    expect(text).not.toContain(token);
    expect(text).not.toContain('c2lnbmF0dXJl');
  });

  it('logs each error once', async () => {
    const lines: string[] = [];
    const client = connect({ debug: (event, detail) => lines.push(`${event} ${detail}`) });
    await client.ready();
    server.peers[0]!.ws.send('not json');
    await server.until(() => lines.some((line) => line.startsWith('error')));
    await client.request('ping');
    expect(lines.filter((line) => line.startsWith('error'))).toEqual(['error malformed frame ignored (protocol)']);
  });

  it('hides an opaque (non-JWT) token too', async () => {
    const lines: string[] = [];
    const client = connect({ token: () => 'opaque-secret-123', debug: (event, detail) => lines.push(`${event} ${detail}`) });
    await client.ready();
    await client.request('echo', { note: 'opaque-secret-123' });
    expect(lines.join('\n')).not.toContain('opaque-secret-123');
  });
});

afterEach(() => vi.useRealTimers());
