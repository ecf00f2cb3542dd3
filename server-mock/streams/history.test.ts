// The in-memory history: offsets, epochs, retention by count, age and pattern, and the memory budget.
import { describe, expect, it } from 'vitest';
import type { EventData, ResourceRef } from '../../protocol/index.js';
import { MemoryHistory, type Recovery } from './history.js';
import { parseRetentionRule, retentionOf } from './retention.js';

const room = { type: 'channel', name: 'room' };
const event = (resource: ResourceRef, data: unknown, action = 'published'): EventData => ({ action, resource, modifier: { id: 'x' }, timestamp: 't', data: data as never });

function setup(options: { size?: number; ttl?: number; maxBytes?: number; rules?: string[] } = {}) {
  let now = 1_000_000;
  const defaults = { size: options.size ?? 5, ttl: options.ttl ?? 60 };
  const history = new MemoryHistory({ retention: retentionOf((options.rules ?? []).map(parseRetentionRule), defaults), maxBytes: options.maxBytes ?? 1024 * 1024, now: () => now });
  return { history, advance: (ms: number) => void (now += ms) };
}

const payloads = (recovery: Recovery): unknown[] => (recovery.recovered ? recovery.events.map((e) => JSON.parse(e.frame).data.data) : []);

describe('MemoryHistory', () => {
  it('numbers each stream’s events 1, 2, 3… in one epoch, independently of other streams, and serializes them as event frames', async () => {
    const { history } = setup();
    const a = await history.append(event(room, 'a'));
    const b = await history.append(event(room, 'b'));
    const other = await history.append(event({ type: 'channel', name: 'other' }, 'x'));
    const resource = await history.append(event({ type: 'ds', name: 'room' }, [], 'created'));
    expect([a.offset, b.offset, other.offset, resource.offset]).toEqual([1, 2, 1, 1]);
    const frame = JSON.parse(b.frame);
    expect(frame).toEqual({ type: 'event', data: { ...event(room, 'b'), offset: 2, epoch: expect.any(String) } });
    expect(await history.position(room)).toEqual({ epoch: frame.data.epoch, offset: 2 });
    expect((await history.position({ type: 'channel', name: 'other' })).epoch).not.toBe(frame.data.epoch);
  });

  it('replays what came after since, in order; nothing when the client is up to date', async () => {
    const { history } = setup();
    for (const n of [1, 2, 3, 4]) await history.append(event(room, n));
    const { epoch } = await history.position(room);
    const recovery = await history.since(room, { epoch, offset: 1 });
    expect(recovery).toMatchObject({ recovered: true, position: { epoch, offset: 4 } });
    expect(payloads(recovery)).toEqual([2, 3, 4]);
    expect(await history.since(room, { epoch, offset: 4 })).toEqual({ recovered: true, position: { epoch, offset: 4 }, events: [] });
  });

  it('cannot recover across epochs: another process (a restart) or an unknown epoch', async () => {
    const { history } = setup();
    await history.append(event(room, 1));
    const { epoch } = await history.position(room);
    const restarted = setup().history;
    expect(await restarted.since(room, { epoch, offset: 1 })).toMatchObject({ recovered: false, reason: 'epoch', position: { offset: 0 } });
    expect(await history.since(room, { epoch: 'other', offset: 1 })).toMatchObject({ recovered: false, reason: 'epoch' });
    expect(await history.since(room, { epoch, offset: 9 })).toMatchObject({ recovered: false, reason: 'epoch', info: expect.stringContaining('ahead') });
  });

  it('keeps the last `size` events: a gap beyond them is expired', async () => {
    const { history } = setup({ size: 3 });
    for (const n of [1, 2, 3, 4, 5]) await history.append(event(room, n));
    const { epoch } = await history.position(room);
    expect(payloads(await history.since(room, { epoch, offset: 2 }))).toEqual([3, 4, 5]);
    expect(await history.since(room, { epoch, offset: 1 })).toMatchObject({ recovered: false, reason: 'expired', info: expect.stringContaining('1 missed') });
  });

  it('forgets events older than ttl, but a client that missed nothing still recovers', async () => {
    const { history, advance } = setup({ ttl: 10 });
    await history.append(event(room, 1));
    advance(5_000);
    await history.append(event(room, 2));
    const { epoch } = await history.position(room);
    advance(6_000);
    expect(await history.since(room, { epoch, offset: 0 })).toMatchObject({ recovered: false, reason: 'expired' });
    expect(payloads(await history.since(room, { epoch, offset: 1 }))).toEqual([2]);
    advance(5_000);
    expect(await history.since(room, { epoch, offset: 1 })).toMatchObject({ recovered: false, reason: 'expired' });
    expect(await history.since(room, { epoch, offset: 2 })).toMatchObject({ recovered: true, events: [] });
    expect(history.size).toBeLessThan(1_000);
  });

  it('applies the first matching pattern rule (channels by name, resources as type:name); size 0 keeps offsets but no events', async () => {
    const { history } = setup({ size: 5, rules: ['room:*=2', 'ds:orders=0/10', 'room:quiet=9'] });
    const chat = { type: 'channel', name: 'room:1' };
    const orders = { type: 'ds', name: 'orders' };
    for (const n of [1, 2, 3]) {
      await history.append(event(chat, n));
      await history.append(event(orders, n, 'created'));
    }
    const chatEpoch = (await history.position(chat)).epoch;
    expect(payloads(await history.since(chat, { epoch: chatEpoch, offset: 1 }))).toEqual([2, 3]);
    expect(await history.since(chat, { epoch: chatEpoch, offset: 0 })).toMatchObject({ recovered: false, reason: 'expired' });
    const ordersPosition = await history.position(orders);
    expect(ordersPosition.offset).toBe(3);
    expect(await history.since(orders, { ...ordersPosition, offset: 2 })).toMatchObject({ recovered: false, reason: 'expired' });
    expect(await history.since(orders, ordersPosition)).toMatchObject({ recovered: true });
  });

  it('stays within its memory budget: the least recently published streams lose their oldest events first', async () => {
    const { history } = setup({ size: 1000, maxBytes: 64 * 1024 });
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 30; i++) await history.append(event({ type: 'channel', name: 'old' }, big));
    for (let i = 0; i < 200; i++) await history.append(event({ type: 'channel', name: `c${i % 20}` }, big));
    expect(history.size).toBeLessThanOrEqual(64 * 1024);
    const old = await history.position({ type: 'channel', name: 'old' });
    expect(await history.since({ type: 'channel', name: 'old' }, { ...old, offset: 29 })).toMatchObject({ recovered: false, reason: 'expired' });
    const recent = await history.position({ type: 'channel', name: 'c19' });
    expect(payloads(await history.since({ type: 'channel', name: 'c19' }, { ...recent, offset: recent.offset - 1 }))).toHaveLength(1);
  });

  it('shares the budget fairly: a heavy publisher evicts its own events first, and the expired info names the memory budget', async () => {
    const { history } = setup({ size: 1000, maxBytes: 256 * 1024 });
    const by = (id: string, resource: ResourceRef, data: unknown): EventData => ({ ...event(resource, data), modifier: { id } });
    for (let i = 0; i < 20; i++) await history.append(by('alice', room, `note ${i}`));
    const junk = (i: number) => ({ type: 'channel', name: `junk-${i}` });
    const big = 'x'.repeat(10 * 1024);
    for (let i = 0; i < 100; i++) await history.append(by('mallory', junk(i), big));
    expect(history.size).toBeLessThanOrEqual(256 * 1024);
    const position = await history.position(room);
    expect(payloads(await history.since(room, { ...position, offset: 0 }))).toHaveLength(20);
    const first = await history.position(junk(0));
    const lost = await history.since(junk(0), { ...first, offset: 0 });
    expect(lost).toMatchObject({ recovered: false, reason: 'expired', info: expect.stringContaining('memory budget') });
    expect((lost as { info: string }).info).not.toContain('keeps its last');
    // Count and age are named when they are the cause.
    const { history: small, advance } = setup({ size: 2, ttl: 10 });
    for (const n of [1, 2, 3]) await small.append(event(room, n));
    const smallEpoch = (await small.position(room)).epoch;
    expect(await small.since(room, { epoch: smallEpoch, offset: 0 })).toMatchObject({ info: expect.stringContaining('keeps its last 2') });
    advance(11_000);
    expect(await small.since(room, { epoch: smallEpoch, offset: 1 })).toMatchObject({ info: expect.stringContaining('kept 10 s') });
  });

  it('drops whole idle streams least recently used first, however many appends in a row made one the most recent', async () => {
    // size 0: streams keep offsets, no events, so only their bookkeeping counts: room for three.
    const { history } = setup({ size: 0, maxBytes: 3 * 256 });
    const append = async (name: string) => (await history.append(event({ type: 'channel', name }, 1))).epoch;
    const a = await append('a');
    const b = await append('b');
    const c = await append('c');
    for (let i = 0; i < 5; i++) await append('a');
    // Least recently used first: b, c, a. A fourth stream drops b.
    await append('d');
    expect(await append('a')).toBe(a);
    expect(await append('c')).toBe(c);
    for (let i = 0; i < 3; i++) await append('c');
    // Now d, a, c: a fifth stream drops d; c, used again, stays; a sixth (b again, in a new epoch) drops a.
    await append('e');
    expect(await append('c')).toBe(c);
    expect(await append('b')).not.toBe(b);
    expect(await append('a')).not.toBe(a);
  });

  it('counts a stream as most recently used again once a new stream came after it', async () => {
    const { history } = setup({ size: 0, maxBytes: 3 * 256 });
    const append = async (name: string) => (await history.append(event({ type: 'channel', name }, 1))).epoch;
    const a = await append('a');
    await append('b');
    await append('a');
    await append('c');
    // c is newer than a: using a again makes it the most recent, so d drops b and e drops c, never a.
    await append('a');
    await append('d');
    await append('e');
    expect(await append('a')).toBe(a);
  });

  it('rejects malformed pattern rules with a clear message', () => {
    for (const bad of ['room', 'room=', 'room=-1', '=5', 'room=5/x']) expect(() => parseRetentionRule(bad)).toThrow(/history rule/);
    expect(parseRetentionRule(' room:*=100/60 ')).toEqual({ pattern: 'room:*', size: 100, ttl: 60 });
  });
});
