// Subscription filters over the wire: live fan-out, replay, refusals and the per-connection limit.
import { describe, expect, it } from 'vitest';
import { FILTER_LIMITS } from '../../protocol/index.js';
import { SUBSCRIBED, channelArgs, metric, post, rtcPeer, useServers, type Peer } from '../test/peer.test-util.js';

const start = useServers();
type Server = Awaited<ReturnType<typeof start>>;

const events = (peer: Peer): any[] => peer.received.filter((m) => m.type === 'event').map((m) => m.data);
const payloads = (peer: Peer): unknown[] => events(peer).map((e) => e.data.payload);
const order = (server: Server, customer: number, n: number, eventName = 'order') => post(server, '/api/broadcast', { channel: 'orders', eventName, payload: { customer, n } });
/** Publishes a marker every subscriber admits last, so that once it arrives, everything before it has been decided. */
const fence = async (server: Server, ...peers: Peer[]) => {
  await post(server, '/api/broadcast', { channel: 'orders', eventName: 'fence', payload: { customer: 42, fence: true } });
  for (const peer of peers) await peer.waitFor((m) => m.type === 'event' && m.data.data.eventName === 'fence');
};
const withFence = (filter: Record<string, unknown>) => ({ ...channelArgs('orders'), filter });

describe('filtered subscriptions', () => {
  it('sends a filtered subscriber only what its filter admits, and an unfiltered one everything', async () => {
    const server = await start();
    const [all, one] = [await rtcPeer(server, 'all'), await rtcPeer(server, 'one')];
    expect((await all.command('subscribe', channelArgs('orders'))).response).toEqual(SUBSCRIBED);
    // Apostol-style: fields AND, values OR; the fence matches through eventName.
    const filter = { 'payload.customer': [42, 7], eventName: 'order' };
    expect((await one.command('subscribe', { ...channelArgs('orders'), filter: { $dummy: 1 } })).error).toMatchObject({ code: 4 });
    expect((await one.command('subscribe', withFence({ ...filter, eventName: ['order', 'fence'] }))).response).toEqual(SUBSCRIBED);
    for (let n = 0; n < 10; n++) await order(server, [42, 1, 7, '42'][n % 4] as number, n);
    await order(server, 42, 10, 'refund');
    await fence(server, all, one);
    expect(payloads(one)).toEqual([{ customer: 42, n: 0 }, { customer: 7, n: 2 }, { customer: 42, n: 4 }, { customer: 7, n: 6 }, { customer: 42, n: 8 }, { customer: 42, fence: true }]);
    expect(payloads(all)).toHaveLength(12);
    // Offsets stay the stream's: a filtered subscriber sees gaps, not renumbering.
    expect(events(one).map((e) => e.offset)).toEqual([1, 3, 5, 7, 9, 12]);
  });

  it('matches resource events when any record matches, and counts only admitted recipients', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    const orders = { type: 'ds', name: 'orders' };
    await peer.command('subscribe', { action: ['all'], resource: orders, positions: true, filter: { 'data.customer': 42, action: ['created', 'updated'] } });
    const emit = async (action: string, data: unknown) => (await (await post(server, '/api/events', { resource: orders, action, data })).json()) as { recipients: number };
    expect((await emit('created', [{ customer: 1 }, { customer: 42 }])).recipients).toBe(1);
    expect((await emit('created', [{ customer: 1 }])).recipients).toBe(0);
    expect((await emit('deleted', [{ customer: 42 }])).recipients).toBe(0);
    expect((await emit('updated', [{ customer: 42 }])).recipients).toBe(1);
    await peer.waitFor((m) => m.type === 'event' && m.data.action === 'updated');
    expect(events(peer).map((e) => [e.action, e.offset])).toEqual([
      ['created', 1],
      ['updated', 4],
    ]);
  });

  it('replays only admitted events on recovery, and the position still lets the next recovery be exact', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    const filter = { 'payload.customer': 42 };
    const { epoch } = (await peer.command('subscribe', withFence(filter))).response;
    await peer.close();
    for (let n = 0; n < 6; n++) await order(server, n % 2 ? 42 : 1, n);
    const back = await rtcPeer(server);
    expect((await back.command('subscribe', { ...withFence(filter), since: { epoch, offset: 0 } })).response).toEqual({ recovered: true, epoch, offset: 6 });
    expect(events(back).map((e) => [e.data.payload.n, e.offset])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await back.close();
    await order(server, 1, 6);
    await order(server, 42, 7);
    const again = await rtcPeer(server);
    // From the last event it saw (offset 6): the excluded 7 is skipped, 8 is replayed, nothing twice.
    expect((await again.command('subscribe', { ...withFence(filter), since: { epoch, offset: 6 } })).response).toMatchObject({ recovered: true, offset: 8 });
    expect(events(again).map((e) => e.offset)).toEqual([8]);
  });

  it('replaces the filter of a subscription the connection holds with the one of its latest subscribe (none: everything)', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    await peer.command('subscribe', withFence({ 'payload.customer': 1 }));
    await order(server, 1, 0);
    await order(server, 2, 1);
    await peer.command('subscribe', withFence({ 'payload.customer': 2 }));
    await order(server, 1, 2);
    await order(server, 2, 3);
    await peer.command('subscribe', channelArgs('orders'));
    await order(server, 1, 4);
    await fence(server, peer);
    expect(payloads(peer).map((p: any) => p.n ?? 'fence')).toEqual([0, 3, 4, 'fence']);
  });

  it('keeps plain subscribes byte-for-byte as before: no filter, every event, the same frames', async () => {
    const server = await start();
    const [plain, empty] = [await rtcPeer(server, 'plain'), await rtcPeer(server, 'empty')];
    await plain.command('subscribe', channelArgs('orders'));
    await empty.command('subscribe', withFence({}));
    for (let n = 0; n < 3; n++) await order(server, n, n);
    await fence(server, plain, empty);
    const frames = (peer: Peer) => peer.received.filter((m) => m.type === 'event');
    expect(frames(plain)).toHaveLength(4);
    expect(frames(empty)).toEqual(frames(plain));
  });
});

describe('bad filters', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a string', 'payload.x=1', /filter must be an object/],
    ['a list', [1], /filter must be an object/],
    ['null', null, /filter must be an object/],
    ['an unknown operator', { 'payload.x': { $regex: '.*' } }, /unknown operator "\$regex"/],
    ['an expression', { 'payload.x': { $where: 'sleep(1000)' } }, /unknown operator "\$where"/],
    ['__proto__', { 'payload.__proto__.polluted': 1 }, /"__proto__" is not allowed/],
    ['constructor', { 'payload.constructor.name': 'Object' }, /"constructor" is not allowed/],
    ['17 keys', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`payload.k${i}`, i])), /17 keys; at most 16/],
    ['65 values', { 'payload.x': Array.from({ length: 65 }, (_, i) => i) }, /needs 1 to 64 values/],
    ['9 segments', { 'payload.1.2.3.4.5.6.7.8': 1 }, /more than 8 path segments/],
    ['over 4 KiB', { 'payload.x': 'y'.repeat(FILTER_LIMITS.bytes) }, /over 4096 bytes/],
    ['a path outside the event', { 'session.user': 'x' }, /paths start with eventName, payload/],
    ['$gt of a list', { 'payload.n': { $gt: [1] } }, /\$gt needs a number or a string/],
  ];
  for (const [name, filter, info] of cases) {
    it(`refuses ${name} with error 4 and subscribes nothing`, async () => {
      const server = await start();
      const peer = await rtcPeer(server);
      const answer = await peer.command('subscribe', { ...channelArgs('orders'), filter });
      expect(answer.error.code).toBe(4);
      expect(answer.error.info).toMatch(info);
      await order(server, 1, 0);
      expect(metric(await (await fetch(`${server.url}/metrics`)).text(), 'rtm_subscriptions')).toBe(0);
      // The connection is still usable.
      expect((await peer.command('subscribe', channelArgs('orders'))).response).toEqual(SUBSCRIBED);
      await fence(server, peer);
      expect(payloads(peer)).toEqual([{ customer: 42, fence: true }]);
    });
  }

  it('leaves a subscription it already held untouched when a new filter for it is bad', async () => {
    const server = await start();
    const peer = await rtcPeer(server);
    await peer.command('subscribe', withFence({ 'payload.customer': 1 }));
    expect((await peer.command('subscribe', withFence({ 'payload.customer': { $nope: 1 } }))).error.code).toBe(4);
    await order(server, 2, 0);
    await order(server, 1, 1);
    await peer.waitFor((m) => m.type === 'event' && m.data.data.payload.n === 1);
    expect(payloads(peer)).toEqual([{ customer: 1, n: 1 }]);
  });

  it('refuses more distinct filters per connection than allowed with error 7, counting a filter shared by subscriptions once', async () => {
    const server = await start({ limits: { maxFilters: 2 } });
    const peer = await rtcPeer(server);
    const sub = (channel: string, customer: number) => peer.command('subscribe', { ...channelArgs(channel), filter: { 'payload.customer': customer } });
    expect((await sub('a', 1)).response).toEqual(SUBSCRIBED);
    expect((await sub('b', 1)).response).toEqual(SUBSCRIBED);
    expect((await sub('c', 2)).response).toEqual(SUBSCRIBED);
    const refused = await sub('d', 3);
    expect(refused.error).toEqual({ code: 7, info: expect.stringMatching(/filter limit of 2 distinct filters/) });
    // Replacing a subscription's own filter is not one more; freeing one makes room.
    expect((await sub('c', 4)).response).toEqual(SUBSCRIBED);
    await peer.command('unsubscribe', channelArgs('c'));
    expect((await sub('d', 3)).response).toEqual(SUBSCRIBED);
    expect((await peer.command('subscribe', channelArgs('e'))).response).toEqual(SUBSCRIBED);
  });
});
