// The hub on a shared bus: deliveries come from the bus only, in offset order, and bus messages this
// instance missed (its Pub/Sub connection was reconnecting) are filled in from history.
import { describe, expect, it } from 'vitest';
import type { EventData, ResourceRef } from '../../protocol/index.js';
import { MemoryHistory } from './history.js';
import type { StoredEvent } from './event-frame.js';
import { Hub, type SharedBus } from './hub.js';
import { collector } from './subscriber.test-util.js';

/** A bus over in-memory history whose messages the test lets through, holds back or drops. */
class TestBus implements SharedBus {
  readonly history: MemoryHistory;
  constructor(size = 100) {
    this.history = new MemoryHistory({ retention: () => ({ size, ttl: 60 }), maxBytes: 1024 * 1024, now: Date.now });
  }
  readonly sent: Array<{ resource: ResourceRef; event: StoredEvent }> = [];
  /** While set, history reads answer (with what history held when asked) only once it resolves. */
  gate: Promise<void> | undefined;
  private receive: ((resource: ResourceRef, event: StoredEvent) => void) | undefined;
  /** Appends go through here, as the Redis script publishes on every append. */
  readonly store = {
    append: async (event: EventData) => {
      const stored = await this.history.append(event);
      this.sent.push({ resource: event.resource, event: stored });
      return stored;
    },
    position: (resource: ResourceRef) => this.history.position(resource),
    since: async (resource: ResourceRef, since: { epoch: string; offset: number }) => {
      const snapshot = await this.history.since(resource, since);
      await this.gate;
      return snapshot;
    },
  };

  start(receive: (resource: ResourceRef, event: StoredEvent) => void): void {
    this.receive = receive;
  }

  /** Lets the bus messages at `indexes` (of those sent so far) through, in the given order. */
  pass(...indexes: number[]): void {
    for (const i of indexes) this.receive!(this.sent[i]!.resource, this.sent[i]!.event);
  }
}

const room = { type: 'channel', name: 'room' };
const until = async (check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 1));
  }
};

describe('Hub on a shared bus', () => {
  it('delivers only what comes from the bus, once, and counts the local subscribers', async () => {
    const bus = new TestBus();
    const hub = new Hub(bus.store, Date.now, bus);
    const { frames, subscriber } = collector();
    await hub.subscribe(room, subscriber, { actions: ['published'], positions: true });
    expect(await hub.publishChannelMessage('room', 'one', 'alice')).toBe(1);
    expect(frames).toEqual([]);
    bus.pass(0, 0);
    expect(frames.map((f) => [f.data.data, f.data.offset])).toEqual([['one', 1]]);
  });

  it('fills a gap of missed bus messages from history, in order, before what arrives meanwhile', async () => {
    const bus = new TestBus();
    const hub = new Hub(bus.store, Date.now, bus);
    const { frames, subscriber } = collector();
    const seen: unknown[] = [];
    hub.tap((post) => seen.push(post.payload));
    await hub.subscribe(room, subscriber, { actions: ['published'], positions: true });
    for (const n of [1, 2, 3, 4, 5, 6]) await hub.publishChannelMessage('room', n, 'alice');
    // 2 and 3 never arrive; 5 and 6 arrive while the gap is being read from history.
    bus.pass(0, 3, 4, 5);
    await until(() => frames.length === 6);
    expect(frames.map((f) => f.data.offset)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    for (const n of [7]) await hub.publishChannelMessage('room', n, 'alice');
    bus.pass(6);
    expect(frames.map((f) => f.data.offset)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('fills a second gap behind the first, when a bus message overtakes the history read (they travel on different connections)', async () => {
    const bus = new TestBus();
    const hub = new Hub(bus.store, Date.now, bus);
    const { frames, subscriber } = collector();
    await hub.subscribe(room, subscriber, { actions: ['published'], positions: true });
    for (const n of [1, 2, 3, 4]) await hub.publishChannelMessage('room', n, 'alice');
    let open!: () => void;
    bus.gate = new Promise((resolve) => (open = resolve));
    // 2 and 3 are lost: the read for them sees history up to 4 only.
    bus.pass(0, 3);
    for (const n of [5, 6]) await hub.publishChannelMessage('room', n, 'alice');
    // 5 is lost too, and 6 arrives before the read's answer.
    bus.pass(5);
    bus.gate = undefined;
    open();
    await until(() => frames.length >= 6);
    expect(frames.map((f) => f.data.offset)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fills a gap before the first message it hears, from the position its first subscription read', async () => {
    const bus = new TestBus();
    const hub = new Hub(bus.store, Date.now, bus);
    const { frames, subscriber } = collector();
    await hub.subscribe(room, subscriber, { actions: ['published'], positions: true });
    for (const n of [1, 2, 3]) await hub.publishChannelMessage('room', n, 'alice');
    bus.pass(2);
    await until(() => frames.length >= 3);
    expect(frames.map((f) => f.data.offset)).toEqual([1, 2, 3]);
  });

  it('holds what the bus brings while its first subscription reads the position, and fills a gap before it from there', async () => {
    const bus = new TestBus();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const store = {
      ...bus.store,
      position: async (resource: ResourceRef) => {
        const position = await bus.history.position(resource);
        await gate;
        return position;
      },
    };
    const hub = new Hub(store, Date.now, bus);
    await hub.publishChannelMessage('room', 1, 'alice');
    bus.pass(0);
    const { frames, subscriber } = collector();
    const subscribed = hub.subscribe(room, subscriber, { actions: ['published'], positions: true });
    await hub.publishChannelMessage('room', 2, 'alice');
    await hub.publishChannelMessage('room', 3, 'alice');
    // The message of 2 is lost; 3 arrives before the subscription knows where the stream stood.
    bus.pass(2);
    open();
    expect((await subscribed).position.offset).toBe(1);
    await until(() => frames.length >= 2);
    expect(frames.map((f) => f.data.offset)).toEqual([2, 3]);
  });

  it('goes on past a gap history no longer holds (and says so), and starts over in a new epoch', async () => {
    const bus = new TestBus(2);
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (event: string) => void warnings.push(event), error: () => undefined };
    const hub = new Hub(bus.store, Date.now, bus, log);
    const { frames, subscriber } = collector();
    await hub.subscribe(room, subscriber, { actions: ['published'], positions: true });
    for (const n of [1, 2, 3, 4, 5]) await hub.publishChannelMessage('room', n, 'alice');
    bus.pass(0, 4);
    await until(() => frames.length === 2);
    expect(frames.map((f) => f.data.offset)).toEqual([1, 5]);
    expect(warnings).toEqual(['bus_gap_lost']);
    // Offset 1 in another epoch (the store lost the stream) is no repeat: it is delivered.
    const { event } = bus.sent[0]!;
    bus.sent.push({ resource: room, event: { ...event, epoch: 'other' } });
    bus.pass(5);
    expect(frames.map((f) => f.data.offset)).toEqual([1, 5, 1]);
  });
});
