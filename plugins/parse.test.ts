import { describe, expect, it } from 'vitest';
import { list, matchesEvent, pairs, pick, template } from './parse.js';

const message = { channel: 'orders', eventName: 'order.created', payload: { id: 7, customer: { name: 'Ada' }, status: 'DONE' }, modifier: 'alice', timestamp: 't' };

describe('widget config text forms', () => {
  it('reads lists and maps the same way from HTML or APEX text as from JS values', () => {
    expect(list('a, b  c')).toEqual(['a', 'b', 'c']);
    expect(list(['x'])).toEqual(['x']);
    expect(list(null)).toEqual([]);
    expect(pairs('P10_MESSAGE=payload.value\n P10_FROM = modifier ;#log=text')).toEqual([
      ['P10_MESSAGE', 'payload.value'],
      ['P10_FROM', 'modifier'],
      ['#log', 'text'],
    ]);
    expect(pairs({ P1: 'payload.a' })).toEqual([['P1', 'payload.a']]);
    expect(pairs('no pair here')).toEqual([]);
  });

  it('matches event names exactly, by prefix or with *', () => {
    expect(matchesEvent([], null)).toBe(true);
    expect(matchesEvent(['*'], 'x')).toBe(true);
    expect(matchesEvent(['ping'], 'ping')).toBe(true);
    expect(matchesEvent(['ping'], 'pong')).toBe(false);
    expect(matchesEvent(['order.*'], 'order.created')).toBe(true);
    expect(matchesEvent(['order.*'], 'orders')).toBe(false);
    expect(matchesEvent(['order.*'], null)).toBe(false);
    expect(matchesEvent(['a', 'order.*'], 'a')).toBe(true);
  });

  it('picks message fields, defaulting to the payload, and never follows prototypes', () => {
    expect(pick(message, 'payload.customer.name')).toBe('Ada');
    expect(pick(message, 'customer.name')).toBe('Ada');
    expect(pick(message, 'modifier')).toBe('alice');
    expect(pick(message, 'payload.missing.deeper')).toBeUndefined();
    expect(pick(message, 'constructor')).toBeUndefined();
    expect(pick(message, 'payload.__proto__')).toBeUndefined();
  });

  it('fills templates as text', () => {
    expect(template('New {eventName} #{id} for {customer.name}, by {modifier}{nothing}', message)).toBe('New order.created #7 for Ada, by alice');
    expect(template('{payload.customer}', message)).toBe('{"name":"Ada"}');
  });
});
