import { describe, expect, it } from 'vitest';
import { MemoryHistory } from './history.js';
import { Hub } from './hub.js';
import { collector } from './subscriber.test-util.js';

const history = () => new MemoryHistory({ retention: () => ({ size: 10, ttl: 60 }), maxBytes: 1024 * 1024, now: Date.now });

const orders = { type: 'ds', name: 'orders' };

describe('Hub', () => {
  it('delivers resource events by action, with "all" matching every action, each with the next offset of its stream', async () => {
    const hub = new Hub(history(), () => Date.UTC(2026, 0, 1));
    const created = collector();
    const all = collector();
    await hub.subscribe(orders, created.subscriber, { actions: ['created'], positions: true });
    await hub.subscribe(orders, all.subscriber, { actions: ['all'], positions: true });
    expect(await hub.publishEvent(orders, 'updated', [{ id: 1 }], 'ums:1')).toBe(1);
    expect(await hub.publishEvent(orders, 'created', [{ id: 2 }], 'ums:1')).toBe(2);
    expect(created.frames.map((f) => [f.data.action, f.data.offset])).toEqual([['created', 2]]);
    const epoch = all.frames[0].data.epoch;
    expect(epoch).toEqual(expect.any(String));
    expect(all.frames[0]).toEqual({ type: 'event', data: { action: 'updated', resource: orders, modifier: { id: 'ums:1' }, timestamp: '2026-01-01T00:00:00.000Z', data: [{ id: 1 }], offset: 1, epoch } });
    expect(all.frames[1].data).toMatchObject({ offset: 2, epoch });
  });

  it('stamps each event with the time it was published, events of one millisecond alike', async () => {
    let now = Date.UTC(2026, 0, 1);
    const hub = new Hub(history(), () => now);
    const { subscriber, frames } = collector();
    await hub.subscribe(orders, subscriber, { actions: ['all'] });
    await hub.publishEvent(orders, 'created', 1, 'a');
    await hub.publishEvent(orders, 'created', 2, 'a');
    now += 1;
    await hub.publishEvent(orders, 'created', 3, 'a');
    now += 60_000;
    await hub.publishEvent(orders, 'created', 4, 'a');
    expect(frames.map((f) => f.data.timestamp)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z', '2026-01-01T00:01:00.001Z']);
  });

  it('removes actions one by one and forgets a resource when its last subscriber goes', async () => {
    const hub = new Hub(history());
    const { subscriber } = collector();
    await hub.subscribe(orders, subscriber, { actions: ['created', 'deleted'] });
    expect(hub.unsubscribe(orders, subscriber, ['created'])).toBe(false);
    expect(hub.topicCount).toBe(1);
    expect(hub.unsubscribe(orders, subscriber, ['deleted'])).toBe(true);
    expect(hub.topicCount).toBe(0);
    await hub.subscribe(orders, subscriber, { actions: ['created'] });
    expect(hub.unsubscribe(orders, subscriber, ['all'])).toBe(true);
    expect(hub.topicCount).toBe(0);
  });

  it('shows channel messages to taps, in the channel convention, until untapped', async () => {
    const hub = new Hub(history());
    const seen: unknown[] = [];
    const untap = hub.tap((post) => seen.push(post));
    await hub.publishChannelMessage('news', { eventName: 'flash', payload: 1 }, 'alice');
    await hub.publishChannelMessage('news', 'raw', 'bob');
    untap();
    await hub.publishChannelMessage('news', 'unseen', 'carol');
    expect(seen).toEqual([
      { channel: 'news', source: 'alice', eventName: 'flash', payload: 1 },
      { channel: 'news', source: 'bob', eventName: null, payload: 'raw' },
    ]);
  });
});
