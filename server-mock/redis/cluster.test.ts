// Three instances sharing one real redis-server: fan-out, history, offsets and de-duplication across them,
// an instance restart, and Redis going away and coming back.
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEGACY_ON, channelArgs, metric, openPeer, post, rtcPeer, startServer, type Peer } from '../test/peer.test-util.js';
import { startRedis, type RedisProcess } from './redis.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;

let redis: RedisProcess;
const servers: Server[] = [];
const peers: Peer[] = [];
beforeEach(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await redis.stop();
});

const instance = async (url = redis.url): Promise<Server> => {
  const server = await startServer({ redis: url, ...LEGACY_ON });
  servers.push(server);
  await until(async () => (await fetch(`${server.url}/readyz`)).status === 200);
  return server;
};
const peer = async (server: Server, sub = 'alice'): Promise<Peer> => {
  const p = await rtcPeer(server, sub);
  peers.push(p);
  return p;
};
const events = (p: Peer, name: string): any[] => p.received.filter((m) => m.type === 'event' && m.data.resource.name === name).map((m) => m.data);
const until = async (check: () => boolean | Promise<boolean>, timeout = 5_000): Promise<void> => {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const ready = async (server: Server): Promise<number> => (await fetch(`${server.url}/readyz`)).status;
const broadcast = (server: Server, channel: string, payload: unknown) => post(server, '/api/broadcast', { channel, eventName: 'n', payload });

describe('three instances on one Redis', () => {
  it('deliver a publish made on B, a REST broadcast sent to C, a user push and a resource event to a subscriber on A, each exactly once, with one offset sequence', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    const alice = await peer(a);
    const onB = await peer(b, 'bob');
    const { epoch } = (await alice.command('subscribe', channelArgs('room'))).response;
    await alice.command('subscribe', channelArgs('user:alice'));
    await alice.command('subscribe', { action: ['created'], resource: { type: 'ds', name: 'orders' } });
    // Another subscriber of the same channel on B and C: every instance fans out, none twice.
    const onC = await peer(c, 'carol');
    await onC.command('subscribe', channelArgs('room'));

    expect((await onB.command('publish', { channel: 'room', data: { eventName: 'n', payload: 'from B' } })).response).toEqual({});
    expect((await broadcast(c, 'room', 'from C')).status).toBe(200);
    expect((await post(c, '/api/users/alice/messages', { eventName: 'n', payload: 'pushed' })).status).toBe(200);
    expect((await post(b, '/api/events', { resource: { type: 'ds', name: 'orders' }, action: 'created', data: [1] })).status).toBe(200);

    await until(() => alice.received.filter((m) => m.type === 'event').length >= 4 && events(onC, 'room').length >= 2);
    expect(events(alice, 'room').map((e) => [e.data.payload, e.offset, e.epoch])).toEqual([
      ['from B', 1, epoch],
      ['from C', 2, epoch],
    ]);
    expect(events(alice, 'user:alice').map((e) => e.data.payload)).toEqual(['pushed']);
    expect(events(alice, 'orders').map((e) => e.data)).toEqual([[1]]);
    expect(events(onC, 'room').map((e) => e.offset)).toEqual([1, 2]);
    // A ping round trip on each connection: anything still in flight would have arrived before its answer.
    await Promise.all([alice, onC].map((p) => p.command('ping')));
    expect(alice.received.filter((m) => m.type === 'event')).toHaveLength(4);
    expect(events(onC, 'room')).toHaveLength(2);
  });

  it('give a legacy APEX RTM listener on A the channel messages published on B and C, once each', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    const listener = await openPeer(`${a.ws}/`);
    peers.push(listener);
    const bob = await peer(b, 'bob');
    await bob.command('publish', { channel: 'news', data: { eventName: 'rtc', payload: 1 } });
    await broadcast(c, 'news', 2);
    // Private channels never reach the legacy endpoint, from any instance.
    await post(c, '/api/users/bob/messages', { eventName: 'n', payload: 'private' });
    await broadcast(c, 'news', 3);
    await until(() => listener.received.length >= 3);
    await bob.command('ping');
    expect(listener.received).toEqual([
      { channel: 'news', eventName: 'rtc', payload: 1 },
      { channel: 'news', eventName: 'n', payload: 2 },
      { channel: 'news', eventName: 'n', payload: 3 },
    ]);
  });

  it('recover on C what a subscriber of A missed, and a restarted instance keeps the epoch', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    const first = await peer(a);
    const { epoch } = (await first.command('subscribe', channelArgs('room'))).response;
    for (const n of [1, 2]) await broadcast(b, 'room', n);
    await until(() => events(first, 'room').length === 2);
    await first.close();
    for (const n of [3, 4, 5]) await broadcast(b, 'room', n);

    const again = await peer(c);
    const answer = (await again.command('subscribe', { ...channelArgs('room'), since: { epoch, offset: 2 } })).response;
    expect(answer).toEqual({ recovered: true, epoch, offset: 5 });
    expect(events(again, 'room').map((e) => [e.data.payload, e.offset])).toEqual([
      [3, 3],
      [4, 4],
      [5, 5],
    ]);

    // An instance that restarts loses nothing: history and offsets are in Redis.
    await a.close();
    const restarted = await instance();
    const third = await peer(restarted);
    expect((await third.command('subscribe', { ...channelArgs('room'), since: { epoch, offset: 4 } })).response).toEqual({ recovered: true, epoch, offset: 5 });
    await broadcast(b, 'room', 6);
    await until(() => events(third, 'room').length === 2);
    expect(events(third, 'room').map((e) => e.offset)).toEqual([5, 6]);
  });

  it('share the de-duplication window: a publish re-sent to another instance, even while the first is in flight, goes out once', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    const watcher = await peer(c, 'carol');
    await watcher.command('subscribe', channelArgs('room'));
    const onA = await peer(a);
    const onB = await peer(b);
    const publish = { channel: 'room', data: { eventName: 'n', payload: 'once' } };
    const answers = await Promise.all([onA.command('publish', publish, 'id-1'), onB.command('publish', publish, 'id-1')]);
    expect(answers.map((r) => r.response)).toEqual([{}, {}]);
    expect((await onB.command('publish', publish, 'id-1')).response).toEqual({});
    // The same ID with another payload is a new publish.
    expect((await onB.command('publish', { channel: 'room', data: { eventName: 'n', payload: 'other' } }, 'id-1')).response).toEqual({});
    await until(() => events(watcher, 'room').length >= 2);
    await watcher.command('ping');
    expect(events(watcher, 'room').map((e) => [e.data.payload, e.offset])).toEqual([
      ['once', 1],
      ['other', 2],
    ]);
    const repeats = async (s: Server) => metric(await (await fetch(`${s.url}/metrics`)).text(), 'rtm_publish_repeats_total');
    expect((await repeats(a)) + (await repeats(b))).toBe(2);
  });

  it('share no budget one user can drain: a flood of unique publishes and junk history leaves another user\'s re-send and recovery intact', async () => {
    const server = await startServer({ redis: redis.url, dedup: { maxEntries: 100 }, history: { maxBytes: 1024 * 1024 }, limits: { rateBurst: 5_000, ratePerSecond: 5_000 } });
    servers.push(server);
    await until(async () => (await ready(server)) === 200);
    const alice = await peer(server, 'alice');
    const { epoch } = (await alice.command('subscribe', channelArgs('room'))).response;
    expect((await alice.command('publish', { channel: 'room', data: { eventName: 'n', payload: 'honest' } }, 'a-1')).response).toEqual({});
    await alice.close();
    const mallory = await peer(server, 'mallory');
    const junk = 'x'.repeat(30 * 1024);
    // Three times the de-duplication count and 1.2 MB of history, in as many unique publishes (in batches the
    // per-connection input bound lets through).
    for (let i = 0; i < 300; i += 1) {
      mallory.send({ type: 'command', data: { command: 'publish', correlation_id: `m-${i}`, arguments: { channel: `junk-${i % 100}`, data: i < 40 ? junk : i } } });
      if (i % 20 === 19) await until(() => mallory.received.length > i, 30_000);
    }
    expect(mallory.received.filter((m) => m.data?.error)).toEqual([]);
    const back = await peer(server, 'alice');
    back.send({ type: 'command', data: { command: 'subscribe', correlation_id: 's', arguments: { ...channelArgs('room'), since: { epoch, offset: 0 } } } });
    expect((await back.waitFor((m) => m.type === 'command response')).data.response).toMatchObject({ recovered: true });
    expect(events(back, 'room').map((e) => e.data.payload)).toEqual(['honest']);
    // The honest re-send is still recognised: it is answered, not published again.
    expect((await back.command('publish', { channel: 'room', data: { eventName: 'n', payload: 'honest' } }, 'a-1')).response).toEqual({});
    await back.command('ping');
    expect(events(back, 'room')).toHaveLength(1);
  }, 40_000);

  it('fill in from history what an instance missed while its Pub/Sub connection was away', async () => {
    const admin = new Redis(redis.url);
    try {
      // Instance A logs in as its own Redis user, so the test can take its Pub/Sub channel away, and give it back.
      await admin.call('ACL', 'SETUSER', 'a', 'on', '>pw-a', '~*', '&*', '+@all');
      const a = await instance(`redis://a:pw-a@127.0.0.1:${redis.port}`);
      const b = await instance();
      const alice = await peer(a);
      const { epoch } = (await alice.command('subscribe', channelArgs('room'))).response;
      await broadcast(b, 'room', 1);
      await until(() => events(alice, 'room').length === 1);

      await admin.call('ACL', 'SETUSER', 'a', 'resetchannels');
      await admin.call('CLIENT', 'KILL', 'USER', 'a');
      await until(async () => (await ready(a)) === 503);
      // A is back on its command connection but cannot subscribe: these reach Redis history, not A.
      for (const n of [2, 3, 4]) await broadcast(b, 'room', n);
      await admin.call('ACL', 'SETUSER', 'a', '&*');
      await until(async () => (await ready(a)) === 200);
      await broadcast(b, 'room', 5);

      await until(() => events(alice, 'room').length >= 5);
      await alice.command('ping');
      expect(events(alice, 'room').map((e) => [e.data.payload, e.offset, e.epoch])).toEqual([1, 2, 3, 4, 5].map((n) => [n, n, epoch]));
    } finally {
      admin.disconnect();
    }
  });

  it('keep connections while Redis is down, refuse publishes with error 1, report it on /readyz and /metrics, and resume by themselves', async () => {
    const [a, b] = [await instance(), await instance()];
    const alice = await peer(a);
    const bob = await peer(b, 'bob');
    const { epoch } = (await alice.command('subscribe', channelArgs('room'))).response;
    await bob.command('publish', { channel: 'room', data: { eventName: 'n', payload: 1 } });
    await until(() => events(alice, 'room').length === 1);

    await redis.stop();
    await until(async () => (await fetch(`${a.url}/readyz`)).status === 503);
    expect(await (await fetch(`${a.url}/readyz`)).json()).toEqual({ status: 'redis unavailable' });
    expect(metric(await (await fetch(`${a.url}/metrics`)).text(), 'rtm_redis_up')).toBe(0);
    const refused = await bob.command('publish', { channel: 'room', data: { eventName: 'n', payload: 'lost?' } }, 'p-2');
    expect(refused.error).toEqual({ code: 1, info: expect.stringMatching(/^Redis is unavailable/) });
    const rest = await broadcast(a, 'room', 'rest');
    expect(rest.status).toBe(503);
    expect((await rest.json()).error).toEqual({ code: 1, info: expect.stringMatching(/^Redis is unavailable/) });
    expect((await alice.command('subscribe', channelArgs('other'))).error.code).toBe(1);
    expect((await alice.command('ping')).response.pong).toBe(true);

    // Redis comes back empty (no persistence): service resumes on the same connections, in a new epoch.
    await redis.start();
    await until(async () => (await fetch(`${a.url}/readyz`)).status === 200 && (await fetch(`${b.url}/readyz`)).status === 200, 10_000);
    expect(metric(await (await fetch(`${a.url}/metrics`)).text(), 'rtm_redis_up')).toBe(1);
    expect((await bob.command('publish', { channel: 'room', data: { eventName: 'n', payload: 'p-2' } }, 'p-2')).response).toEqual({});
    await until(() => events(alice, 'room').length === 2);
    const [, resumed] = events(alice, 'room');
    expect(resumed).toMatchObject({ offset: 1, data: { payload: 'p-2' } });
    expect(resumed.epoch).not.toBe(epoch);
    const late = await peer(b);
    const answer = (await late.command('subscribe', { ...channelArgs('room'), since: { epoch, offset: 1 } })).response;
    expect(answer).toMatchObject({ recovered: false, reason: 'epoch', epoch: resumed.epoch, offset: 1 });
    expect(alice.ws.readyState).toBe(alice.ws.OPEN);
    expect(bob.ws.readyState).toBe(bob.ws.OPEN);
  });

  it('answer /readyz 503 until Redis is reachable, and refuse a URL that is not redis://', async () => {
    await expect(startServer({ redis: 'http://127.0.0.1:1' })).rejects.toThrow(/redis:\/\//);
    await redis.stop();
    const server = await startServer({ redis: redis.url });
    servers.push(server);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    const p = await peer(server);
    expect((await p.command('publish', { channel: 'room', data: { eventName: 'n', payload: 1 } })).error.code).toBe(1);
    await redis.start();
    await until(async () => (await fetch(`${server.url}/readyz`)).status === 200, 10_000);
    expect((await p.command('publish', { channel: 'room', data: { eventName: 'n', payload: 1 } })).response).toEqual({});
  });
});
