// The hardest guarantee, in one place: every subscriber of a stream gets its events in offset order, each exactly
// once, whether they come from a replay (subscribe with since), live, held back while it subscribed, or from history
// to fill a gap in the bus; on one instance without a bus, on two sharing an in-process bus, and on two sharing Redis.
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceRef, StreamPosition } from '../../protocol/index.js';
import { busHeader, busMessage, readBusMessage } from './bus-message.js';
import { eventBody } from './event-frame.js';
import { MemoryHistory, type HistoryStore } from './history.js';
import { Hub, type SharedBus } from './hub.js';
import { collector, type Collector } from './subscriber.test-util.js';
import { RedisBus } from '../redis/bus.js';
import { RedisHistory } from '../redis/history.js';
import { RedisLink } from '../redis/link.js';
import { startRedis, type RedisProcess } from '../redis/redis.test-util.js';
import { silentLogger, type Logger } from '../ops/log.js';

const room: ResourceRef = { type: 'channel', name: 'room' };
const EVENTS = 120;

/** A seeded random source, so a failing run can be repeated. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const until = async (check: () => boolean, what: () => string, timeout = 10_000): Promise<void> => {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** A bus that loses some messages (as one whose Pub/Sub connection was away): what is lost, history must fill in. */
function lossy(bus: SharedBus, loses: () => boolean): SharedBus {
  return { start: (receive) => bus.start((resource, event) => void (loses() || receive(resource, event))) };
}

/** A log that counts its events. */
function countingLog(): Logger & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const count = (event: string) => void counts.set(event, (counts.get(event) ?? 0) + 1);
  return { counts, info: count, warn: count, error: count };
}

/**
 * An in-process bus over a shared history store: every append goes out as a bus message (the same encoding the
 * Redis script publishes), to each instance in order and asynchronously, so messages arrive late as on a network.
 */
class InProcessBus {
  private readonly receivers: Array<(message: string) => void> = [];
  readonly store: HistoryStore;

  constructor(history: HistoryStore) {
    this.store = {
      append: async (event) => {
        const stored = await history.append(event);
        const message = busMessage(stored, busHeader(event), eventBody(event));
        for (const receive of this.receivers) setImmediate(() => receive(message));
        return stored;
      },
      position: (resource) => history.position(resource),
      since: (resource, since) => history.since(resource, since),
    };
  }

  /** One instance's end of the bus. */
  endpoint(): SharedBus {
    return {
      start: (receive) => {
        this.receivers.push((message) => {
          const read = readBusMessage(message)!;
          receive(read.resource, read.event);
        });
      },
    };
  }
}

interface Joined {
  collector: Collector;
  /** The offset after which it must get every event. */
  after: Promise<number>;
}

/**
 * Publishes EVENTS channel messages through `publishers` in turn, in bursts, while subscribers join the `joiners`
 * at random moments (half of them resuming from a position an earlier subscriber reached, so they get a replay that
 * overlaps live events). Then checks every subscriber got exactly the offsets after its start, in order.
 */
async function scenario(publishers: Hub[], joiners: Hub[], seed: number): Promise<void> {
  const next = random(seed);
  const first = collector();
  const joined: Joined[] = [{ collector: first, after: joiners[0]!.subscribe(room, first.subscriber, { actions: ['published'], positions: true }).then(({ position }) => position.offset) }];
  await joined[0]!.after;
  let sent = 0;
  while (sent < EVENTS) {
    const burst = Math.min(EVENTS - sent, 1 + Math.floor(next() * 6));
    const publishes: Promise<number>[] = [];
    for (let i = 0; i < burst; i += 1) publishes.push(publishers[(sent + i) % publishers.length]!.publishChannelMessage(room.name, { eventName: 'n', payload: sent + i }, 'p'));
    if (next() < 0.4) {
      const hub = joiners[Math.floor(next() * joiners.length)]!;
      const late = collector();
      const seen = first.frames.map((f) => f.data as StreamPosition);
      const since = next() < 0.5 && seen.length > 0 ? seen[Math.floor(next() * seen.length)] : undefined;
      const subscribed = hub.subscribe(room, late.subscriber, { actions: ['published'], positions: true, ...(since ? { since: { epoch: since.epoch, offset: since.offset } } : {}) });
      joined.push({
        collector: late,
        after: subscribed.then((answer) => {
          if (answer.recovered === false) throw new Error(`recovery failed: ${answer.info}`);
          return since ? since.offset : answer.position.offset;
        }),
      });
    }
    await Promise.all(publishes);
    sent += burst;
    // Now and then let what is in flight (bus messages, replays) move on before the next burst.
    if (next() < 0.5) await new Promise((resolve) => setImmediate(resolve));
  }
  const starts = await Promise.all(joined.map((j) => j.after));
  const offsets = (c: Collector) => c.frames.map((f) => f.data.offset as number);
  await until(
    () => joined.every((j) => offsets(j.collector).at(-1) === EVENTS || starts[joined.indexOf(j)] === EVENTS),
    () => joined.map((j, i) => `${starts[i]}: ${offsets(j.collector).join(',')}`).join('\n'),
  );
  // One more event that every subscriber gets last: anything still in flight would have come before it.
  await publishers[0]!.publishChannelMessage(room.name, { eventName: 'n', payload: 'last' }, 'p');
  await until(
    () => joined.every((j) => offsets(j.collector).at(-1) === EVENTS + 1),
    () => joined.map((j, i) => `${starts[i]}: ${offsets(j.collector).join(',')}`).join('\n'),
  );
  expect(joined.length).toBeGreaterThan(5);
  // Some subscribers resumed from a position behind the stream, so a replay was interleaved with live events.
  expect(joined.reduce((sum, j) => sum + j.collector.replayed, 0)).toBeGreaterThan(0);
  for (const [i, j] of joined.entries()) {
    const expected = Array.from({ length: EVENTS + 1 - starts[i]! }, (_, k) => starts[i]! + 1 + k);
    expect(offsets(j.collector).join(), `subscriber ${i}, from offset ${starts[i]}`).toEqual(expected.join());
    expect(new Set(j.collector.frames.map((f) => f.data.epoch)).size).toBe(1);
    expect(j.collector.slow).toBe(0);
  }
}

const memory = (size = 1000) => new MemoryHistory({ retention: () => ({ size, ttl: 600 }), maxBytes: 64 << 20, now: Date.now });

describe('a stream delivers in order, exactly once, across replay, live events and bus gaps', () => {
  it('on one instance without a bus', async () => {
    const hub = new Hub(memory());
    await scenario([hub], [hub], 1);
  });

  it('on two instances sharing a bus that loses and delays messages (gaps filled from history)', async () => {
    const shared = new InProcessBus(memory());
    const log = countingLog();
    const next = random(7);
    const a = new Hub(shared.store, Date.now, lossy(shared.endpoint(), () => next() < 0.15), log);
    const b = new Hub(shared.store, Date.now, shared.endpoint());
    await scenario([a, b], [a, b], 2);
    expect(log.counts.get('bus_gap_filled')).toBeGreaterThan(0);
    expect(log.counts.get('bus_gap_lost')).toBeUndefined();
  });

  describe('on two instances sharing Redis', () => {
    let redis: RedisProcess | undefined;
    const links: RedisLink[] = [];
    afterEach(async () => {
      await Promise.all(links.splice(0).map((link) => link.close()));
      await redis?.stop();
    });

    it('with the bus messages the append script publishes, some lost on the way to one instance', async () => {
      redis = await startRedis();
      const log = countingLog();
      const next = random(11);
      const instance = (loses: () => boolean, instanceLog: Logger): Hub => {
        const link = new RedisLink(redis!.url, silentLogger);
        links.push(link);
        const history = new RedisHistory(link, { retention: () => ({ size: 1000, ttl: 600 }) });
        return new Hub(history, Date.now, lossy(new RedisBus(link, history.busChannel, instanceLog), loses), instanceLog);
      };
      const a = instance(() => next() < 0.15, log);
      const b = instance(() => false, silentLogger);
      await until(() => links.every((link) => link.up), () => 'Redis links up');
      // Both instances hear the bus once an event published on one reaches a subscriber of the other.
      const probe = collector();
      await a.subscribe({ type: 'channel', name: 'probe' }, probe.subscriber);
      for (let tries = 0; probe.frames.length === 0 && tries < 50; tries += 1) {
        await b.publishChannelMessage('probe', tries, 'p');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(probe.frames.length).toBeGreaterThan(0);
      await scenario([a, b], [a, b], 3);
      expect(log.counts.get('bus_gap_filled')).toBeGreaterThan(0);
      expect(log.counts.get('bus_message_unreadable')).toBeUndefined();
    }, 60_000);
  });
});

describe('bus messages', () => {
  it('read back the event the store appended, body and position, and refuse what is not one', () => {
    const event = { action: 'created', resource: { type: 'ds', name: 'a\u2028b' }, modifier: { id: 'x' }, timestamp: 't', data: { text: 'line\nbreak' } };
    const message = busMessage({ offset: 42, epoch: 'e-1' }, busHeader(event), eventBody(event));
    const read = readBusMessage(message)!;
    expect(read.resource).toEqual(event.resource);
    expect(read.event).toMatchObject({ offset: 42, epoch: 'e-1', action: 'created' });
    expect(JSON.parse(read.event.frame)).toEqual({ type: 'event', data: { ...event, offset: 42, epoch: 'e-1' } });
    for (const bad of ['', 'x\ny', `channel\nroom\n1\ne\npublished\n{"type":"event"}`, `1\n\nchannel\nroom\npublished\n{}`]) expect(readBusMessage(bad)).toBeUndefined();
  });
});
