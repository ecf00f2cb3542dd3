import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpSocket } from '../../client/http-socket.js';
import { createClient, type RtmClient, type TransportName } from '../../client/index.js';
import { startHttpProxy, type HttpProxy } from '../../e2e/http-proxy.js';
import { post, startServer } from '../test/peer.test-util.js';
import type { RtmServer } from '../index.js';

// The real client against the real server through proxies that refuse WebSockets or buffer responses (Node's ws and fetch).
let server: (RtmServer & { ws: string }) | undefined;
let proxy: HttpProxy | undefined;
const clients: RtmClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((client) => client.close());
  await proxy?.close();
  await server?.close();
  proxy = server = undefined;
});

function client(url: string, sub: string, options: Record<string, unknown> = {}): RtmClient {
  const made = createClient({ url: `${url}/rtc`, token: () => server!.auth.sign(sub, 3600), WebSocket: WebSocket as never, reconnect: { minDelay: 20, maxDelay: 100 }, ...options });
  clients.push(made);
  return made;
}

const until = async (check: () => boolean | Promise<boolean>): Promise<void> => {
  await expect.poll(check, { timeout: 15_000, interval: 20 }).toBe(true);
};

describe('falling back when WebSockets are refused', () => {
  it('steps down at once when the upgrade is plainly refused, and works the same over HTTP streaming', async () => {
    server = await startServer();
    proxy = await startHttpProxy([Number(new URL(server.url).port)]);
    const a = client(proxy.ws, 'alice');
    const transports: TransportName[] = [];
    a.on('transport', ({ transport }) => transports.push(transport));
    const got: unknown[] = [];
    a.channel('room').on((payload) => got.push(payload));
    await a.ready();
    expect(a.transport).toBe('http-stream');
    expect(proxy.upgrades).toBe(1);
    await until(() => a.channel('room').state === 'subscribed');
    await a.channel('room').publish('n', 1);
    await post(server, '/api/broadcast', { channel: 'room', eventName: 'n', payload: 2 });
    await until(() => got.length === 2);
    expect(got).toEqual([1, 2]);
    expect(transports).toEqual(['http-stream']);
  });

  it('ends on long-polling behind a proxy that buffers responses', async () => {
    server = await startServer();
    proxy = await startHttpProxy([Number(new URL(server.url).port)], { buffer: true });
    const a = client(proxy.ws, 'alice', { connectTimeout: 1_000 });
    const got: unknown[] = [];
    a.channel('room').on((payload) => got.push(payload));
    await until(() => a.transport === 'long-poll' && a.channel('room').state === 'subscribed');
    await a.channel('room').publish('n', 'over long-polling');
    await until(() => got.length === 1);
    expect(got).toEqual(['over long-polling']);
  });

  it('upgrades to WebSocket once the proxy lets it through, losing and repeating nothing', async () => {
    server = await startServer();
    proxy = await startHttpProxy([Number(new URL(server.url).port)]);
    const a = client(proxy.ws, 'alice', { upgradeInterval: 200 });
    const got: number[] = [];
    a.channel('room').on((payload) => got.push(payload as number));
    await until(() => a.transport === 'http-stream' && a.channel('room').state === 'subscribed');
    let sent = 0;
    const publishing = (async () => {
      while (a.transport !== 'websocket' || sent < 40) await a.channel('room').publish('n', ++sent);
    })();
    proxy.allowUpgrades(true);
    await publishing;
    await until(() => got.length === sent);
    expect(got).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
  });

  it('uses only the transports it is given', async () => {
    server = await startServer();
    const a = client(server.ws, 'alice', { transports: ['long-poll'] });
    await a.ready();
    expect(a.transport).toBe('long-poll');
    expect(() => client(server!.ws, 'alice', { transports: ['carrier-pigeon'] })).toThrow(/transports/);
  });
});

describe('messages to one session', () => {
  it('client.session is known on every transport, and a REST message reaches that client alone as a direct event', async () => {
    server = await startServer();
    for (const transport of ['websocket', 'http-stream', 'long-poll'] as const) {
      const a = client(server.ws, 'alice', { transports: [transport] });
      const b = client(server.ws, 'alice', { transports: [transport] });
      const direct: unknown[] = [];
      const other: unknown[] = [];
      a.on('direct', (payload, meta) => direct.push([payload, meta.eventName, meta.modifier]));
      b.on('direct', (payload) => other.push(payload));
      await until(() => a.session !== undefined && b.session !== undefined);
      expect(a.session).not.toBe(b.session);
      expect((await post(server, `/api/sessions/${a.session}/messages`, { eventName: 'nudge', payload: { transport } })).status).toBe(200);
      await until(() => direct.length === 1);
      expect(direct).toEqual([[{ transport }, 'nudge', 'api:default']]);
      expect(other).toEqual([]);
    }
  });
});

describe('the HTTP socket', () => {
  it('leaves no abort listener behind per POST: a long-lived link sends thousands', async () => {
    server = await startServer();
    const stop = new AbortController();
    const socket = httpSocket(`${server.ws}/rtc?access_token=${await server.auth.sign('alice', 3600)}`, false, stop);
    const answers: string[] = [];
    socket.addEventListener('message', (event) => answers.push((event as unknown as { data: string }).data));
    await until(() => socket.readyState === 1);
    for (let i = 1; i <= 200; i++) {
      // Each answer awaited as it comes (not polled every 20 ms, which made 200 round trips take over 10 s under load),
      // so each frame goes out in a POST of its own.
      const answered = new Promise((resolve) => socket.addEventListener('message', resolve, { once: true }));
      socket.send(JSON.stringify({ type: 'command', data: { command: 'ping', correlation_id: i } }));
      await answered;
    }
    expect(answers).toHaveLength(200);
    expect(getEventListeners(stop.signal, 'abort').length).toBeLessThan(5);
    socket.close();
  });
});

describe('token refresh over HTTP', () => {
  it('keeps a fallback link past its token\'s expiry with jwt replace: the link stays up, on the same session', async () => {
    server = await startServer({ timing: { reminder: 2, grace: 1 } });
    for (const transport of ['http-stream', 'long-poll'] as const) {
      let tokens = 0;
      const a = createClient({
        url: `${server.ws}/rtc`,
        token: () => server!.auth.sign('alice', 3),
        WebSocket: WebSocket as never,
        transports: [transport],
      });
      clients.push(a);
      a.on('token', () => tokens++);
      await a.ready();
      const states: string[] = [];
      a.on('state', ({ state }) => states.push(state));
      const session = await (async () => {
        await until(() => a.session !== undefined);
        return a.session;
      })();
      // Without a jwt replace over this link the server would close it (4002) a second after the 3 s token expired:
      // wait until well past that (time is the subject here).
      const pastExpiry = Date.now() + 5_000;
      await until(() => Date.now() > pastExpiry);
      expect(tokens).toBeGreaterThanOrEqual(2);
      expect(a.state).toBe('open');
      expect(a.session).toBe(session);
      expect(states).toEqual([]);
    }
  }, 30_000);
});
