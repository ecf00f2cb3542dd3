import { describe, expect, it } from 'vitest';
import { nextState, sleep } from './scripted-server.test-util.js';
import { Subscriptions } from './subscriptions.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();

describe('reference counting', () => {
  it('many listeners share one server subscription; the last one off sends unsubscribe', async () => {
    const client = connect();
    await client.ready();
    const got: string[] = [];
    const offA = client.channel('room').on((p) => got.push(`a${p}`));
    const offB = client.channel('room').on('hi', (p) => got.push(`b${p}`));
    await ctx.server.until(() => client.channel('room').state === 'subscribed');
    expect(ctx.server.commands('subscribe')).toHaveLength(1);
    ctx.server.peers[0]!.event('room', 1, 'hi');
    ctx.server.peers[0]!.event('room', 2, 'other');
    await ctx.server.until(() => got.length === 3);
    expect(got).toEqual(['a1', 'b1', 'a2']);
    offA();
    offA();
    await sleep(20);
    expect(ctx.server.commands('unsubscribe')).toHaveLength(0);
    offB();
    await ctx.server.until(() => ctx.server.commands('unsubscribe').length === 1);
    expect(client.channel('room').state).toBe('unsubscribed');
    expect(client.stats()).toMatchObject({ subscriptions: 0, listeners: 0 });
  });

  it('listeners added before the first connect work', async () => {
    const client = connect();
    const got: unknown[] = [];
    client.channel('early').on((p) => got.push(p));
    expect(client.channel('early').state).toBe('subscribing');
    await ctx.server.until(() => client.channel('early').state === 'subscribed');
    ctx.server.peers[0]!.event('early', 'x');
    await ctx.server.until(() => got.length === 1);
  });

  it('no duplicates after a reconnect: each reconnect resubscribes exactly once and each event reaches each handler once', async () => {
    const client = connect();
    const got: unknown[] = [];
    client.channel('news').on((p) => got.push(p));
    await client.ready();
    for (let i = 1; i <= 3; i++) {
      ctx.server.peers.at(-1)!.close(1012);
      await nextState(client, 'open');
      await ctx.server.until(() => client.channel('news').state === 'subscribed');
    }
    ctx.server.peers.at(-1)!.event('news', 'once');
    await sleep(30);
    expect(got).toEqual(['once']);
    expect(ctx.server.peers.map((peer) => ctx.server.received.filter((r) => r.peer === peer && r.command === 'subscribe').length)).toEqual([1, 1, 1, 1]);
  });

  it('React StrictMode\'s double subscribe: on/off/on in one tick sends one subscribe and no unsubscribe', async () => {
    const client = connect();
    await client.ready();
    const got: unknown[] = [];
    const handler = (p: unknown): void => void got.push(p);
    const off = client.channel('strict').on(handler);
    off();
    client.channel('strict').on(handler);
    await ctx.server.until(() => client.channel('strict').state === 'subscribed');
    await sleep(20);
    expect(ctx.server.received.map((r) => r.command)).toEqual(['subscribe']);
    ctx.server.peers[0]!.event('strict', 1);
    await sleep(20);
    expect(got).toEqual([1]);
  });

  it('no listener leaks: 1,000 subscribe/unsubscribe cycles leave nothing behind', async () => {
    const client = connect();
    await client.ready();
    const baseline = client.stats();
    for (let i = 0; i < 1_000; i++) {
      const off = client.channel(`c${i % 10}`).on(() => {});
      const offState = client.channel(`c${i % 10}`).onState(() => {});
      if (i % 2) await sleep(0);
      off();
      offState();
    }
    await ctx.server.until(() => client.stats().pending === 0 && client.stats().subscriptions === 0);
    expect(client.stats()).toEqual(baseline);
    expect(ctx.server.commands('subscribe').length).toBe(ctx.server.commands('unsubscribe').length);
  });
});

it('watching ever new channels keeps nothing per channel once the watchers stop', () => {
  const subscriptions = new Subscriptions({ request: () => new Promise(() => {}), isOpen: () => false, report: () => {}, recovered: () => {} });
  for (let i = 0; i < 1_000; i++) {
    const status = subscriptions.statusOf({ type: 'channel', name: `order:${i}` });
    const offs = [status.onState(() => {}), status.onError(() => {}), status.onRecovery(() => {})];
    offs.forEach((off) => off());
  }
  // White-box: no public count covers status handlers. Their maps must not keep one (empty) set per channel.
  const inner = subscriptions as unknown as Record<'status' | 'recoveries', Map<string, unknown>>;
  expect(inner.status.size).toBe(0);
  expect(inner.recoveries.size).toBe(0);
});

it('the per-resource index of subscriptions keeps nothing once their listeners are gone', async () => {
  const subscriptions = new Subscriptions({ request: () => new Promise(() => {}), isOpen: () => false, report: () => {}, recovered: () => {} });
  const offs = Array.from({ length: 100 }, (_, i) => subscriptions.add({ type: 'channel', name: `c${i % 10}` }, ['all'], () => {}));
  offs.forEach((off) => off());
  await sleep(0);
  // White-box: the index is private; it must not keep one (empty) list per resource ever watched.
  expect((subscriptions as unknown as { byResource: Map<string, unknown> }).byResource.size).toBe(0);
  expect(subscriptions.size).toBe(0);
});

describe('state and errors per subscription', () => {
  it('a refused subscription fails with its error on that subscription, not on the client', async () => {
    const client = connect();
    ctx.server.reply = (r) => (r.command === 'subscribe' && r.arguments.resource.name === 'secret' ? { error: { code: 2, info: 'not allowed' } } : { response: {} });
    const clientErrors: unknown[] = [];
    client.on('error', (e) => clientErrors.push(e));
    const states: string[] = [];
    const errors: unknown[] = [];
    const secret = client.channel('secret');
    secret.onState((state) => states.push(state));
    secret.onError((e) => errors.push(e.code));
    secret.on(() => {});
    client.channel('open').on(() => {});
    await ctx.server.until(() => secret.state === 'failed' && client.channel('open').state === 'subscribed');
    expect(errors).toEqual([2]);
    expect(states).toEqual(['subscribing', 'failed']);
    expect(clientErrors).toEqual([]);
  });

  it('a refused subscription nobody listens to is reported on the client, never silent', async () => {
    const client = connect();
    ctx.server.reply = () => ({ error: { code: 2, info: 'not allowed' } });
    const clientErrors: unknown[] = [];
    client.on('error', (e) => clientErrors.push(e.code));
    client.channel('secret').on(() => {});
    await ctx.server.until(() => clientErrors.length === 1);
    expect(clientErrors).toEqual([2]);
  });

  it('goes back to subscribing while the link is down', async () => {
    const client = connect();
    const chan = client.channel('s');
    chan.on(() => {});
    await ctx.server.until(() => chan.state === 'subscribed');
    const states: string[] = [];
    chan.onState((s) => states.push(s));
    ctx.server.peers[0]!.close(1012);
    await nextState(client, 'open');
    await ctx.server.until(() => chan.state === 'subscribed');
    expect(states).toEqual(['subscribing', 'subscribed']);
  });
});

describe('dispatch', () => {
  it('unsubscribing inside a handler during dispatch is safe, and the removed handler does not run', async () => {
    const client = connect();
    const calls: string[] = [];
    const chan = client.channel('d');
    // eslint-disable-next-line prefer-const
    let offB: () => void;
    const offA = chan.on(() => {
      calls.push('a');
      offA();
      offB();
    });
    offB = chan.on(() => calls.push('b'));
    chan.on(() => calls.push('c'));
    await ctx.server.until(() => chan.state === 'subscribed');
    ctx.server.peers[0]!.event('d', 1);
    ctx.server.peers[0]!.event('d', 2);
    await sleep(30);
    expect(calls).toEqual(['a', 'c', 'c']);
  });

  it('a handler added inside a handler gets the next event, not the one being delivered', async () => {
    const client = connect();
    const calls: string[] = [];
    const chan = client.channel('late');
    let added = false;
    chan.on((n) => {
      calls.push(`a${n}`);
      if (!added) {
        added = true;
        chan.on((m) => calls.push(`b${m}`));
        client.channel('late').on('hi', (m) => calls.push(`c${m}`));
      }
    });
    await ctx.server.until(() => chan.state === 'subscribed');
    ctx.server.peers[0]!.event('late', 1, 'hi');
    await ctx.server.until(() => calls.length >= 1);
    await ctx.server.until(() => client.channel('late').state === 'subscribed');
    ctx.server.peers[0]!.event('late', 2, 'hi');
    await ctx.server.until(() => calls.length >= 4);
    await sleep(20);
    expect(calls).toEqual(['a1', 'a2', 'b2', 'c2']);
  });

  it('a throwing handler does not stop the others and is reported', async () => {
    const client = connect();
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e.code));
    const calls: number[] = [];
    client.channel('t').on(() => {
      throw new Error('boom');
    });
    client.channel('t').on((p) => calls.push(p as number));
    await ctx.server.until(() => client.channel('t').state === 'subscribed');
    ctx.server.peers[0]!.event('t', 7);
    await ctx.server.until(() => calls.length === 1);
    expect(errors).toEqual(['handler']);
  });
});

describe('resources', () => {
  const resourceEvent = (action: string, name = 'orders') => ({
    type: 'event',
    data: { action, resource: { type: 'ds', name }, modifier: { id: 'bob' }, timestamp: '2026-01-01T00:00:00Z', data: [{ id: action }] },
  });

  it('resource(type, name).on(actions | all) receives the matching created / updated / deleted events', async () => {
    const client = connect();
    const all: string[] = [];
    const some: string[] = [];
    client.resource('ds', 'orders').on('all', (e) => all.push(e.action));
    client.resource('ds', 'orders').on(['created', 'deleted'], (e) => some.push(e.action));
    await ctx.server.until(() => client.resource('ds', 'orders').state === 'subscribed');
    expect(ctx.server.commands('subscribe').map((r) => r.arguments)).toEqual([
      { action: ['all'], resource: { type: 'ds', name: 'orders' }, positions: true },
      { action: ['created', 'deleted'], resource: { type: 'ds', name: 'orders' }, positions: true },
    ]);
    for (const action of ['created', 'updated', 'deleted']) ctx.server.peers[0]!.send(resourceEvent(action));
    ctx.server.peers[0]!.send(resourceEvent('created', 'other'));
    await ctx.server.until(() => all.length === 3);
    await sleep(20);
    expect(all).toEqual(['created', 'updated', 'deleted']);
    expect(some).toEqual(['created', 'deleted']);
  });

  it('an event reaches only listeners of its own resource type, whatever its name looks like', async () => {
    const client = connect();
    const got: string[] = [];
    client.resource('ds', 'orders').on('all', (e) => got.push(`ds ${e.action}`));
    client.resource('channel', 'ds\u0000orders').on('all', (e) => got.push(`channel ${e.action}`));
    await ctx.server.until(() => client.resource('ds', 'orders').state === 'subscribed');
    // A channel event named like the resource's key, then a resource event named like a channel.
    ctx.server.peers[0]!.send({ ...resourceEvent('published'), data: { ...resourceEvent('published').data, resource: { type: 'channel', name: 'ds\u0000orders' } } });
    ctx.server.peers[0]!.send({ ...resourceEvent('created'), data: { ...resourceEvent('created').data, resource: { type: 'ds', name: 'orders' } } });
    await ctx.server.until(() => got.length >= 2);
    await sleep(20);
    expect(got).toEqual(['channel published', 'ds created']);
  });

  it('sends all three actions as ["all"] and rejects unknown actions', async () => {
    const client = connect();
    client.resource('ds', 'y').on(['deleted', 'created', 'updated'], () => {});
    await ctx.server.until(() => ctx.server.commands('subscribe').length === 1);
    expect(ctx.server.commands('subscribe')[0]!.arguments.action).toEqual(['all']);
    expect(() => client.resource('ds', 'x').on(['created', 'nope' as 'created'], () => {})).toThrow(/actions/);
    expect(() => client.resource('', 'x')).toThrow(/type/);
  });
});

it('onState, onError and onRecovery each refuse a missing handler at the call, naming it', () => {
  const subscriptions = new Subscriptions({ request: () => new Promise(() => {}), isOpen: () => false, report: () => {}, recovered: () => {} });
  const status = subscriptions.statusOf({ type: 'channel', name: 'room' });
  for (const watch of [status.onState, status.onError, status.onRecovery]) {
    expect(() => watch(null as never)).toThrow(expect.objectContaining({ code: 'bad_argument', info: 'handler must be a function (got null)' }));
  }
});
