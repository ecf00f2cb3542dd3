// The Listener's `where` as a server-side filter: never stricter than the Listener's own check, strict where it can be.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelEvent as event, compiled } from '../protocol/filter.test-util.js';
import type { EventData, Json } from '../protocol/index.js';
import { pick, toText } from './parse.js';
import { whereFilter } from './where-filter.js';

const localMatch = (where: Array<[string, string]>, e: EventData): boolean => {
  const data = e.data as { eventName: string | null; payload: Json };
  const message = { channel: 'orders', eventName: data.eventName, payload: data.payload, modifier: e.modifier?.id, timestamp: e.timestamp };
  return where.every(([path, value]) => toText(pick(message, path)) === toText(value));
};

describe('whereFilter', () => {
  it('turns text pairs into typed alternatives with the same text, and exact event names into eventName', () => {
    expect(whereFilter([['status', 'DONE'], ['payload.customer', '42'], ['modifier', 'bob']], ['order', 'refund'], false)).toEqual({
      'payload.status': ['DONE'],
      'payload.customer': ['42', 42],
      'modifier.id': ['bob'],
      eventName: ['order', 'refund'],
    });
    expect(whereFilter([['flag', 'true'], ['note', '']], ['order.*'], false)).toEqual({ 'payload.flag': ['true', true], 'payload.note': ['', null, { $exists: false }] });
  });

  it('keeps what the server cannot express client-side only: the channel key, resource payloads, predicates', () => {
    expect(whereFilter([['channel', 'orders']], ['order'], false)).toBeUndefined();
    expect(whereFilter([['payload.status', 'DONE']], ['created'], true)).toBeUndefined();
    expect(whereFilter([['eventName', 'created'], ['payload.status', 'DONE']], [], true)).toEqual({ action: ['created'] });
    expect(whereFilter([], ['order'], false)).toBeUndefined();
  });

  it('never refuses a message the Listener itself would act on (property)', () => {
    const text = fc.constantFrom('7', '07', '7.5', 'true', 'false', '', 'null', 'DONE', '{"a":1}', '[1,2]', 'NaN');
    const value = fc.constantFrom<Json>(7, '7', 7.5, '7.5', true, 'true', false, '', null, 'DONE', 'done', { a: 1 }, [1, 2], '[1,2]', 'NaN');
    const path = fc.constantFrom('status', 'payload.status', 'payload.n', 'eventName', 'modifier', 'n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(path, text), { maxLength: 4 }),
        fc.record({ status: value, n: value }, { requiredKeys: [] }),
        fc.constantFrom<string | null>('order', 'DONE', '7', null),
        fc.constantFrom('alice', '7', 'DONE'),
        (where, payload, eventName, modifier) => {
          const e = event(payload, eventName, modifier);
          const filter = whereFilter(where, [], false);
          return !localMatch(where, e) || filter === undefined || compiled(filter).test(e);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('lets nothing through that the Listener would drop when each path appears once', () => {
    const filter = compiled(whereFilter([['status', '7']], [], false));
    expect([7, '7', 7.0].map((status) => filter.test(event({ status })))).toEqual([true, true, true]);
    expect(['07', 7.5, true, null].map((status) => filter.test(event({ status })))).toEqual([false, false, false, false]);
  });
});
