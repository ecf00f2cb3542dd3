import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeFilters } from './filter-merge.js';
import { channelEvent, compiled } from './filter.test-util.js';
import { compileFilter, FILTER_LIMITS, type Filter } from './filter.js';
import type { EventData, Json } from './messages.js';

const resourceEvent = (data: Json, action = 'created'): EventData => ({ action, resource: { type: 'ds', name: 'orders' }, modifier: { id: 'bob' }, timestamp: '2026-01-01T00:00:00.000Z', data });

const admits = (filter: unknown, event: EventData, channel = true): boolean => compiled(filter, channel).test(event);

describe('filter semantics', () => {
  it('ANDs the keys and ORs the values of a key (the Apostol example)', () => {
    const filter = { 'payload.class': ['client', 'device'], 'payload.action': 'create' };
    expect(admits(filter, channelEvent({ class: 'client', action: 'create' }))).toBe(true);
    expect(admits(filter, channelEvent({ class: 'device', action: 'create' }))).toBe(true);
    expect(admits(filter, channelEvent({ class: 'device', action: 'delete' }))).toBe(false);
    expect(admits(filter, channelEvent({ class: 'user', action: 'create' }))).toBe(false);
  });

  it('compares strictly by type and deeply, ignoring key order, with no subset matches', () => {
    expect(admits({ 'payload.id': 7 }, channelEvent({ id: 7 }))).toBe(true);
    expect(admits({ 'payload.id': 7 }, channelEvent({ id: '7' }))).toBe(false);
    expect(admits({ 'payload.id': null }, channelEvent({}))).toBe(false);
    expect(admits({ 'payload.id': null }, channelEvent({ id: null }))).toBe(true);
    expect(admits({ 'payload.who': { a: 1, b: [1, { c: 2 }] } }, channelEvent({ who: { b: [1, { c: 2 }], a: 1 } }))).toBe(true);
    expect(admits({ 'payload.who': { a: 1 } }, channelEvent({ who: { a: 1, b: 2 } }))).toBe(false);
    expect(admits({ 'payload.tags': [['a', 'b']] }, channelEvent({ tags: ['a', 'b'] }))).toBe(true);
    expect(admits({ 'payload.tags': ['a', 'b'] }, channelEvent({ tags: ['a', 'b'] }))).toBe(false);
  });

  it('reads eventName, modifier.id, action, timestamp and array indexes, and only own properties', () => {
    expect(admits({ eventName: 'order', 'modifier.id': 'alice' }, channelEvent(1))).toBe(true);
    expect(admits({ eventName: 'order' }, channelEvent(1, 'other'))).toBe(false);
    expect(admits({ eventName: null }, channelEvent(1, null))).toBe(true);
    expect(admits({ action: 'published', timestamp: { $gte: '2026' } }, channelEvent(1))).toBe(true);
    expect(admits({ 'payload.items.1.sku': 'B' }, channelEvent({ items: [{ sku: 'A' }, { sku: 'B' }] }))).toBe(true);
    expect(admits({ 'payload.items.length': 2 }, channelEvent({ items: [1, 2] }))).toBe(false);
    expect(admits({ 'payload.toString': { $exists: true } }, channelEvent({}))).toBe(false);
    expect(admits({ payload: 5 }, channelEvent(5))).toBe(true);
  });

  it('matches a data.* key of a resource event when any record matches', () => {
    const filter = { 'data.customer': 42, action: ['created', 'updated'] };
    expect(admits(filter, resourceEvent([{ customer: 1 }, { customer: 42 }]), false)).toBe(true);
    expect(admits(filter, resourceEvent([{ customer: 1 }, { customer: 2 }]), false)).toBe(false);
    expect(admits(filter, resourceEvent([{ customer: 42 }], 'deleted'), false)).toBe(false);
    expect(admits(filter, resourceEvent({ customer: 42 }), false)).toBe(true);
    expect(admits({ 'data.customer': { $exists: false } }, resourceEvent([{ customer: 1 }, {}]), false)).toBe(true);
  });

  it('applies $exists, $ne and the orderings', () => {
    expect(admits({ 'payload.x': { $exists: true } }, channelEvent({ x: null }))).toBe(true);
    expect(admits({ 'payload.x': { $exists: false } }, channelEvent({ x: null }))).toBe(false);
    expect(admits({ 'payload.x': { $ne: 'A' } }, channelEvent({}))).toBe(true);
    expect(admits({ 'payload.x': { $ne: { a: [1] } } }, channelEvent({ x: { a: [1] } }))).toBe(false);
    expect(admits({ 'payload.n': { $gte: 10, $lt: 20 } }, channelEvent({ n: 10 }))).toBe(true);
    expect(admits({ 'payload.n': { $gte: 10, $lt: 20 } }, channelEvent({ n: 20 }))).toBe(false);
    expect(admits({ 'payload.n': { $gt: 10 } }, channelEvent({ n: '11' }))).toBe(false);
    expect(admits({ 'payload.s': { $lt: 'b' } }, channelEvent({ s: 'a' }))).toBe(true);
    expect(admits({ 'payload.n': [{ $lt: 0 }, 5, { $gt: 100 }] }, channelEvent({ n: 101 }))).toBe(true);
    expect(admits({ 'payload.n': [{ $lt: 0 }, 5, { $gt: 100 }] }, channelEvent({ n: 50 }))).toBe(false);
  });

  it('admits everything with an empty filter, and canonicalizes keys so equal filters share one key', () => {
    expect(admits({}, channelEvent(1))).toBe(true);
    expect(compiled({ 'payload.a': 1, 'payload.b': [2, 3] }).key).toBe(compiled({ 'payload.b': [2, 3], 'payload.a': 1 }).key);
  });
});

describe('bad filters', () => {
  const big = 'x'.repeat(FILTER_LIMITS.bytes);
  const cases: Array<[string, unknown, RegExp, boolean?]> = [
    ['not an object', 'payload.x=1', /must be an object/],
    ['an array', [{ 'payload.x': 1 }], /must be an object/],
    ['null', null, /must be an object/],
    ['a class instance', new Date(), /must be an object/],
    ['a non-JSON value', { 'payload.x': undefined }, /only JSON values/],
    ['NaN', { 'payload.x': Number.NaN }, /only JSON values/],
    ['a function', { 'payload.x': () => true }, /only JSON values/],
    ['a regular expression', { 'payload.x': /a/ }, /only JSON values/],
    ['a cycle', (() => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      return { 'payload.x': cyclic };
    })(), /only JSON values/],
    ['a sparse array', { 'payload.x': [[1, , 2]] }, /only JSON values/],
    ['over 4 KiB', { 'payload.x': big }, /over 4096 bytes/],
    ['17 keys', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`payload.k${i}`, i])), /17 keys; at most 16/],
    ['65 values', { 'payload.x': Array.from({ length: 65 }, (_, i) => i) }, /needs 1 to 64 values/],
    ['no values', { 'payload.x': [] }, /needs 1 to 64 values/],
    ['9 segments', { 'payload.a.b.c.d.e.f.g.h': 1 }, /more than 8 path segments/],
    ['an empty segment', { 'payload..x': 1 }, /empty path segment/],
    ['an empty path', { '': 1 }, /empty path segment/],
    ['__proto__', JSON.parse('{"payload.__proto__.x": 1}'), /"__proto__" is not allowed/],
    ['constructor', { 'payload.constructor': 1 }, /"constructor" is not allowed/],
    ['prototype', { 'payload.prototype.x': 1 }, /"prototype" is not allowed/],
    ['an unknown root', { 'paylod.x': 1 }, /paths start with eventName, payload, modifier, action, timestamp/],
    ['data on a channel', { 'data.x': 1 }, /paths start with eventName, payload/],
    ['payload on a resource', { 'payload.x': 1 }, /paths start with data, modifier, action, timestamp/, false],
    ['an unknown operator', { 'payload.x': { $regex: '^a' } }, /unknown operator "\$regex"/],
    ['$where', { 'payload.x': { $where: 'this.x' } }, /unknown operator "\$where"/],
    ['an operator in a list', { 'payload.x': [1, { $in: [1] }] }, /unknown operator "\$in"/],
    ['operators mixed with fields', { 'payload.x': { $gt: 1, a: 1 } }, /mixes operators/],
    ['$exists not boolean', { 'payload.x': { $exists: 1 } }, /\$exists needs true or false/],
    ['$gt of an object', { 'payload.x': { $gt: { a: 1 } } }, /\$gt needs a number or a string/],
    ['$lte of null', { 'payload.x': { $lte: null } }, /\$lte needs a number or a string/],
  ];
  for (const [name, filter, message, channel = true] of cases) {
    it(`refuses ${name}`, () => {
      const result = compileFilter(filter, channel);
      expect(typeof result).toBe('string');
      expect(result).toMatch(message);
    });
  }

  it('accepts exactly the limits', () => {
    const keys = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`payload.k${i}`, i]));
    expect(typeof compileFilter(keys, true)).toBe('object');
    expect(typeof compileFilter({ 'payload.x': Array.from({ length: 64 }, (_, i) => i) }, true)).toBe('object');
    expect(typeof compileFilter({ 'payload.a.b.c.d.e.f.g': 1 }, true)).toBe('object');
    // {"payload.x":"…"} is 16 bytes around the string.
    expect(typeof compileFilter({ 'payload.x': 'é'.repeat((FILTER_LIMITS.bytes - 16) / 2) }, true)).toBe('object');
    expect(compileFilter({ 'payload.x': 'é'.repeat((FILTER_LIMITS.bytes - 16) / 2) + 'x' }, true)).toMatch(/over 4096 bytes/);
  });
});

// An independent, deliberately plain reading of the grammar docs/filters.md documents.
function reference(filter: Record<string, unknown>, event: EventData, channel: boolean): boolean {
  const deepEqual = (a: unknown, b: unknown): boolean => {
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const ka = Object.keys(a).sort();
      const kb = Object.keys(b).sort();
      return deepEqual(ka, kb) && ka.every((k) => deepEqual((a as any)[k], (b as any)[k]));
    }
    return a === b;
  };
  const get = (from: unknown, path: string[]): { found: boolean; value?: unknown } => {
    let value = from;
    if (value === undefined) return { found: false };
    for (const part of path) {
      if (value === null || typeof value !== 'object') return { found: false };
      if (Array.isArray(value) ? !(/^\d+$/.test(part) && String(Number(part)) === part && Number(part) < value.length) : !Object.keys(value).includes(part)) return { found: false };
      value = (value as any)[part];
    }
    return { found: true, value };
  };
  const itemHolds = (item: unknown, at: { found: boolean; value?: unknown }): boolean => {
    const isOps = item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0 && Object.keys(item).every((k) => k.startsWith('$'));
    if (!isOps) return at.found && deepEqual(at.value, item);
    return Object.entries(item as Record<string, unknown>).every(([op, operand]) => {
      if (op === '$exists') return at.found === operand;
      if (op === '$ne') return !(at.found && deepEqual(at.value, operand));
      if (!at.found || typeof at.value !== typeof operand) return false;
      const [v, o] = [at.value as any, operand as any];
      return op === '$gt' ? v > o : op === '$gte' ? v >= o : op === '$lt' ? v < o : v <= o;
    });
  };
  return Object.entries(filter).every(([path, value]) => {
    const [root, ...rest] = path.split('.');
    const items = Array.isArray(value) ? value : [value];
    const data = event.data as any;
    const message = data && typeof data === 'object' && !Array.isArray(data) && 'payload' in data ? { eventName: typeof data.eventName === 'string' ? data.eventName : null, payload: data.payload } : { eventName: null, payload: data };
    const starts: unknown[] =
      root === 'data' && !channel ? (Array.isArray(data) ? data : [data]) : [root === 'eventName' || root === 'payload' ? (message as any)[root!] : (event as any)[root!]];
    return starts.some((start) => items.some((item) => itemHolds(item, get(start, rest))));
  });
}

const scalar = fc.constantFrom<Json>(1, 2, '1', 'a', 'b', true, false, null, 0, -1.5);
const literal: fc.Arbitrary<Json> = fc.oneof(scalar, fc.constantFrom<Json>({ x: 1, y: 'a' }, { y: 'a', x: 1 }, { x: 1 }, [1, 2], [2, 1], []));
const operators = fc
  .record(
    { $exists: fc.boolean(), $ne: literal, $gt: fc.constantFrom(0, 1, 'a'), $gte: fc.constantFrom(1, 2, 'b'), $lt: fc.constantFrom(2, 'b'), $lte: fc.constantFrom(1, 'a') },
    { requiredKeys: [] },
  )
  .filter((ops) => Object.keys(ops).length > 0);
const item = fc.oneof(literal, operators);
// A lone array would be a list of values: wrap it, as the grammar says, to compare with an array.
const value = fc.oneof(item.map((i) => (Array.isArray(i) ? [i] : i)), fc.array(item, { minLength: 1, maxLength: 4 }));
const payload = fc.oneof(
  literal,
  fc.record({ a: literal, b: literal, c: fc.oneof(literal, fc.record({ x: literal }, { requiredKeys: [] })) }, { requiredKeys: [] }),
);
const channelFilter = fc.dictionary(fc.constantFrom('payload', 'payload.a', 'payload.b', 'payload.c.x', 'payload.c.0', 'eventName', 'modifier.id', 'action'), value, { maxKeys: 4 });
const anyChannelEvent = fc.tuple(payload, fc.constantFrom<string | null>('order', 'other', null), fc.constantFrom('alice', 'bob')).map(([p, e, m]) => channelEvent(p, e, m));
const resourceFilter = fc.dictionary(fc.constantFrom('data', 'data.a', 'data.b', 'data.c.x', 'action'), value, { maxKeys: 3 });
const anyResourceEvent = fc.tuple(fc.oneof(fc.array(payload, { maxLength: 3 }), payload), fc.constantFrom('created', 'updated')).map(([d, a]) => resourceEvent(d, a));

describe('filter semantics against a reference implementation (property)', () => {
  it('channel events', () => {
    fc.assert(
      fc.property(channelFilter, anyChannelEvent, (filter, event) => admits(filter, event) === reference(filter, event, true)),
      { numRuns: 3000 },
    );
  });

  it('resource events (any-record)', () => {
    fc.assert(
      fc.property(resourceFilter, anyResourceEvent, (filter, event) => admits(filter, event, false) === reference(filter, event, false)),
      { numRuns: 3000 },
    );
  });

  it('a merged filter admits every event any of its filters admits, and is valid', () => {
    fc.assert(
      fc.property(fc.array(channelFilter, { minLength: 1, maxLength: 4 }), fc.array(anyChannelEvent, { maxLength: 8 }), (filters, events) => {
        const merged = mergeFilters(filters as Filter[]);
        if (merged === undefined) return true;
        const check = compiled(merged);
        return events.every((event) => !filters.some((filter) => admits(filter, event)) || check.test(event));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('mergeFilters', () => {
  it('is the exact OR of filters that differ in one key', () => {
    expect(mergeFilters([{ 'payload.customer': 1, eventName: 'order' }, { 'payload.customer': [2, 1], eventName: 'order' }])).toEqual({ 'payload.customer': [1, 2], eventName: ['order'] });
  });

  it('keeps only the keys every filter has, and is no filter when one listener wants everything or none is shared', () => {
    expect(mergeFilters([{ 'payload.a': 1, 'payload.b': 2 }, { 'payload.a': 3 }])).toEqual({ 'payload.a': [1, 3] });
    expect(mergeFilters([{ 'payload.a': 1 }, undefined])).toBeUndefined();
    expect(mergeFilters([{ 'payload.a': 1 }, {}])).toBeUndefined();
    expect(mergeFilters([{ 'payload.a': 1 }, { 'payload.b': 1 }])).toBeUndefined();
  });

  it('drops a key whose union would pass 64 values, and keeps array values as single values', () => {
    const many = (from: number) => Array.from({ length: 40 }, (_, i) => from + i);
    expect(mergeFilters([{ 'payload.a': many(0), eventName: 'x' }, { 'payload.a': many(100), eventName: 'y' }])).toEqual({ eventName: ['x', 'y'] });
    expect(mergeFilters([{ 'payload.t': [[1, 2]] }, { 'payload.t': 3 }])).toEqual({ 'payload.t': [[1, 2], 3] });
  });
});
