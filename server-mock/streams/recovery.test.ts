// Recovery over the wire: offsets on events, subscribe with since, atomic replay, and idempotent publish.
import { describe, expect, it } from 'vitest';
import type { ResourceRef, StreamPosition } from '../../protocol/index.js';
import { MemoryHistory, type HistoryStore, type Recovery } from './history.js';
import { API_KEY, ManualClock, channelArgs, command, post, rtcPeer, useServers, type Peer } from '../test/peer.test-util.js';
import { REPLAY_STALL_MS } from '../transport/outbound.js';

const start = useServers();

const events = (peer: Peer, channel: string): any[] => peer.received.filter((m) => m.type === 'event' && m.data.resource.name === channel).map((m) => m.data);
const until = async (check: () => boolean, timeout = 3_000): Promise<void> => {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const broadcast = (server: Parameters<typeof post>[0], channel: string, payload: unknown) => post(server, '/api/broadcast', { channel, eventName: 'n', payload });

describe('offsets and epochs', () => {
  it('stamps every event with the next offset of its stream (public, private and resource streams) and answers subscribe with the position', async () => {
    const server = await start();
    const alice = await rtcPeer(server, 'alice');
    const first = (await alice.command('subscribe', channelArgs('news'))).response;
    expect(first).toEqual({ epoch: expect.any(String), offset: 0 });
    await alice.command('subscribe', channelArgs('user:alice'));
    await alice.command('subscribe', { action: ['created'], resource: { type: 'ds', name: 'orders' }, positions: true });
    for (const n of [1, 2]) await broadcast(server, 'news', n);
    await post(server, '/api/users/alice/messages', { eventName: 'n', payload: 'private' });
    await post(server, '/api/events', { resource: { type: 'ds', name: 'orders' }, action: 'created', data: [] });
    await alice.command('publish', { channel: 'news', data: { eventName: 'n', payload: 3 } });
    await until(() => alice.received.filter((m) => m.type === 'event').length === 5);
    expect(events(alice, 'news').map((e) => [e.data.payload, e.offset, e.epoch])).toEqual([
      [1, 1, first.epoch],
      [2, 2, first.epoch],
      [3, 3, first.epoch],
    ]);
    expect(events(alice, 'user:alice').map((e) => e.offset)).toEqual([1]);
    expect(events(alice, 'orders').map((e) => e.offset)).toEqual([1]);
    expect((await alice.command('subscribe', channelArgs('news'))).response).toEqual({ epoch: first.epoch, offset: 3 });
    await alice.close();
  });
});

describe('subscribe with since', () => {
  it('replays the missed events in order, then answers recovered: true, then goes live', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    const { epoch } = (await peer.command('subscribe', channelArgs('room'))).response;
    for (const n of [1, 2, 3]) await broadcast(server, 'room', n);
    await until(() => events(peer, 'room').length === 3);
    await peer.close();

    for (const n of [4, 5]) await broadcast(server, 'room', n);
    const back = await rtcPeer(server);
    const response = await back.command('subscribe', { ...channelArgs('room'), since: { epoch, offset: 3 } });
    expect(response.response).toEqual({ recovered: true, epoch, offset: 5 });
    await broadcast(server, 'room', 6);
    await until(() => events(back, 'room').length === 3);
    const frames = back.received.filter((m) => m.type === 'event' || m.type === 'command response');
    expect(frames.map((m) => (m.type === 'event' ? m.data.offset : 'response'))).toEqual([4, 5, 'response', 6]);
    await back.close();
  });

  it('replays only the actions subscribed to', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    const orders = { type: 'ds', name: 'orders' };
    const { epoch } = (await peer.command('subscribe', { action: ['deleted'], resource: orders, positions: true })).response;
    for (const action of ['created', 'deleted', 'updated', 'deleted']) await post(server, '/api/events', { resource: orders, action, data: [] });
    const back = await rtcPeer(server);
    expect((await back.command('subscribe', { action: ['deleted'], resource: orders, since: { epoch, offset: 0 } })).response).toMatchObject({ recovered: true, offset: 4 });
    expect(events(back, 'orders').map((e) => [e.action, e.offset])).toEqual([
      ['deleted', 2],
      ['deleted', 4],
    ]);
    await Promise.all([peer.close(), back.close()]);
  });

  it('answers recovered: false with a reason when the gap left history or the epoch is not the current one, and replays nothing', async () => {
    const server = await start({ history: { rules: [{ pattern: 'short', size: 2 }] } });
    const peer = await rtcPeer(server);
    const { epoch } = (await peer.command('subscribe', channelArgs('short'))).response;
    for (const n of [1, 2, 3, 4]) await broadcast(server, 'short', n);
    const expired = (await peer.command('subscribe', { ...channelArgs('short'), since: { epoch, offset: 1 } })).response;
    expect(expired).toEqual({ recovered: false, reason: 'expired', info: expect.stringContaining('no longer in history'), epoch, offset: 4 });
    const reset = (await peer.command('subscribe', { ...channelArgs('short'), since: { epoch: 'gone', offset: 4 } })).response;
    expect(reset).toMatchObject({ recovered: false, reason: 'epoch', epoch, offset: 4 });
    await until(() => events(peer, 'short').length === 4);
    expect(events(peer, 'short')).toHaveLength(4);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/rtm_recoveries_total\{result="expired"\} 1/);
    await peer.close();
  });

  it('refuses a malformed since with error 4', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    for (const since of [1, { epoch: 1, offset: 1 }, { epoch: 'e', offset: -1 }, { epoch: 'e', offset: 0.5 }, { epoch: 'e'.repeat(65), offset: 1 }]) {
      expect((await peer.command('subscribe', { ...channelArgs('room'), since })).error).toMatchObject({ code: 4, info: expect.stringContaining('since') });
    }
    await peer.close();
  });

  it('switches from replay to live atomically: events published while history is being read arrive once, in order', async () => {
    const inner = new MemoryHistory({ retention: () => ({ size: 100, ttl: 60 }), maxBytes: 1 << 20, now: Date.now });
    let gate: Promise<void> | undefined;
    let reading!: () => void;
    const slow: HistoryStore = {
      append: (event) => inner.append(event),
      position: (resource: ResourceRef) => inner.position(resource),
      // The read answers with what history held when it was asked, but only once the test lets it.
      async since(resource: ResourceRef, since: StreamPosition): Promise<Recovery> {
        const snapshot = await inner.since(resource, since);
        reading();
        await gate;
        return snapshot;
      },
    };
    const server = await start({ stores: { history: slow } });
    const first = await rtcPeer(server);
    const { epoch } = (await first.command('subscribe', channelArgs('race'))).response;
    for (const n of [1, 2]) await broadcast(server, 'race', n);
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const read = new Promise<void>((resolve) => (reading = resolve));
    const back = await rtcPeer(server);
    const answer = back.command('subscribe', { ...channelArgs('race'), since: { epoch, offset: 0 } });
    await read;
    for (const n of [3, 4]) await broadcast(server, 'race', n);
    open();
    expect((await answer).response).toMatchObject({ recovered: true, offset: 2 });
    await broadcast(server, 'race', 5);
    await until(() => events(back, 'race').length >= 5);
    expect(events(back, 'race').map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);
    await Promise.all([first.close(), back.close()]);
  });

  it('a subscription the connection already holds keeps its live events while it is subscribed again', async () => {
    const inner = new MemoryHistory({ retention: () => ({ size: 100, ttl: 60 }), maxBytes: 1 << 20, now: Date.now });
    let gate: Promise<void> = Promise.resolve();
    let reading = (): void => {};
    const slow: HistoryStore = {
      append: (event) => inner.append(event),
      // The position is read after the test lets it, so an event published meanwhile is at or below it.
      async position(resource: ResourceRef) {
        reading();
        await gate;
        return inner.position(resource);
      },
      since: (resource, since) => inner.since(resource, since),
    };
    const server = await start({ stores: { history: slow } });
    const peer = await rtcPeer(server);
    await peer.command('subscribe', channelArgs('again'));
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const read = new Promise<void>((resolve) => (reading = resolve));
    const answer = peer.command('subscribe', channelArgs('again'));
    await read;
    await broadcast(server, 'again', 'during');
    open();
    await answer;
    await broadcast(server, 'again', 'after');
    await until(() => events(peer, 'again').length >= 2);
    expect(events(peer, 'again').map((e) => e.data.payload)).toEqual(['during', 'after']);
    await peer.close();
  });

  it('when history cannot be read, answers error 1 and holds no subscription (nothing is delivered on it)', async () => {
    const inner = new MemoryHistory({ retention: () => ({ size: 10, ttl: 60 }), maxBytes: 1 << 20, now: Date.now });
    const broken: HistoryStore = {
      append: (event) => inner.append(event),
      position: () => Promise.reject(new Error('store unreachable')),
      since: () => Promise.reject(new Error('store unreachable')),
    };
    const server = await start({ stores: { history: broken } });
    const peer = await rtcPeer(server);
    expect((await peer.command('subscribe', channelArgs('down'))).error).toEqual({ code: 1, info: 'internal error' });
    await broadcast(server, 'down', 'unseen');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^rtm_subscriptions 0$/m);
    expect(metrics).toMatch(/^rtm_topics 0$/m);
    expect(events(peer, 'down')).toEqual([]);
    await peer.close();
  });

  it('paces a replay larger than the send buffer instead of closing the client as a slow consumer', async () => {
    const server = await start({ limits: { maxBuffered: 64 * 1024 }, history: { size: 1000 } });
    const peer = await rtcPeer(server);
    const { epoch } = (await peer.command('subscribe', channelArgs('bulk'))).response;
    await peer.close();
    const text = 'y'.repeat(1000);
    for (let i = 0; i < 300; i++) await broadcast(server, 'bulk', { i, text });
    const back = await rtcPeer(server);
    const response = await back.command('subscribe', { ...channelArgs('bulk'), since: { epoch, offset: 0 } });
    expect(response.response).toMatchObject({ recovered: true, offset: 300 });
    expect(events(back, 'bulk').map((e) => e.data.payload.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(back.ws.readyState).toBe(back.ws.OPEN);
    await back.close();
  });
});

describe('idempotent publish', () => {
  it('acknowledges a publish re-sent with the same correlation_id (on a new connection) without publishing it again', async () => {
    const server = await start();
    const watcher = await rtcPeer(server, 'watcher');
    await watcher.command('subscribe', channelArgs('once'));
    const before = await rtcPeer(server, 'alice');
    const message = { channel: 'once', data: { eventName: 'n', payload: 'hello' } };
    const first = await before.command('publish', message, 'abc-1');
    await before.close();
    const after = await rtcPeer(server, 'alice');
    const repeat = await after.command('publish', message, 'abc-1');
    expect(repeat.response).toEqual(first.response);
    // Another sender, or new content under the same ID, is a new publish.
    await (await rtcPeer(server, 'bob')).command('publish', message, 'abc-1');
    await after.command('publish', { channel: 'once', data: { eventName: 'n', payload: 'other' } }, 'abc-1');
    await after.command('publish', message); // default correlation_id 1: a different ID
    await until(() => events(watcher, 'once').length >= 4);
    await broadcast(server, 'once', 'marker');
    await until(() => events(watcher, 'once').some((e) => e.data.payload === 'marker'));
    expect(events(watcher, 'once').map((e) => [e.modifier.id, e.data.payload])).toEqual([
      ['alice', 'hello'],
      ['bob', 'hello'],
      ['alice', 'other'],
      ['alice', 'hello'],
      ['api:default', 'marker'],
    ]);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': API_KEY } })).text();
    expect(metrics).toMatch(/rtm_publish_repeats_total 1/);
    await Promise.all([watcher.close(), after.close()]);
  });
});

describe('a replay to a client that does not read', () => {
  it('is bounded: after REPLAY_STALL_MS without a flush the client is closed as a slow consumer (4003)', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, heartbeat: 0, limits: { maxBuffered: 256 * 1024 } });
    const big = 'x'.repeat(50 * 1024);
    const peer = await rtcPeer(server, 'stalled');
    const { epoch } = (await peer.command('subscribe', channelArgs('firehose'))).response;
    await peer.command('unsubscribe', channelArgs('firehose'));
    // 10 MB of history: far more than the socket buffers between us hold.
    for (let n = 0; n < 200; n += 1) await broadcast(server, 'firehose', `${n}${big}`);
    const armed = clock.pending;
    peer.send(command('subscribe', { ...channelArgs('firehose'), since: { epoch, offset: 0 } }, 'replay'));
    // Stops reading the socket (ws pauses the underlying stream), so what the server sends piles up.
    peer.ws.pause();
    // The replay now waits for a flush that never comes, on a timer of its own.
    await until(() => clock.pending > armed, 10_000);
    clock.advance(REPLAY_STALL_MS);
    peer.ws.resume();
    expect((await peer.closed).code).toBe(4003);
    expect(peer.received.some((m) => m.type === 'command response' && JSON.stringify(m.data.request).includes('"replay"'))).toBe(false);
  }, 30_000);
});
