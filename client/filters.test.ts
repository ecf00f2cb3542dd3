// Listener filters in the client: one shared server subscription with a merged filter, each handler its own events.
import { describe, expect, it } from 'vitest';
import { RtmError } from './errors.js';
import { nextState, sleep } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();
const filters = () => ctx.server.commands('subscribe').map((c) => c.arguments.filter);

describe('channel.on with a filter', () => {
  it('shares one server subscription, sends the merged filter, and gives each handler exactly its events', async () => {
    const client = connect();
    await client.ready();
    const got: string[] = [];
    const orders = client.channel<{ customer: number; status?: string }>('orders');
    orders.on('order', (p) => got.push(`a${p.customer}`), { filter: { 'payload.customer': 1 } });
    const offB = orders.on('order', (p) => got.push(`b${p.customer}`), { filter: { 'payload.customer': [2, 3] } });
    await ctx.server.until(() => orders.state === 'subscribed' && filters().length === 2);
    // The first listener subscribes at once; the second, added in the same tick, widens it once: exactly their OR.
    expect(filters()).toEqual([
      { 'payload.customer': [1], eventName: ['order'] },
      { 'payload.customer': [1, 2, 3], eventName: ['order'] },
    ]);
    expect(ctx.server.commands('subscribe').map((c) => c.arguments.since)).toEqual([undefined, undefined]);
    const peer = ctx.server.peers[0]!;
    for (const customer of [1, 2, 3, 4]) peer.event('orders', { customer }, 'order');
    peer.event('orders', { customer: 1 }, 'other');
    peer.event('orders', { customer: 9 }, 'order');
    await sleep(30);
    expect(got).toEqual(['a1', 'b2', 'b3']);
    // The last listener of a kind going narrows the server's filter again.
    offB();
    await ctx.server.until(() => filters().length === 3);
    expect(filters()[2]).toEqual({ 'payload.customer': [1], eventName: ['order'] });
    expect(ctx.server.commands('unsubscribe')).toHaveLength(0);
  });

  it('sends no filter while any listener wants everything, and a plain listener sends the plain RTC command (plus the positions this client always asks for)', async () => {
    const client = connect();
    await client.ready();
    const got: unknown[] = [];
    const news = client.channel('news');
    news.on((p) => got.push(p));
    news.on((p) => got.push(`f${p}`), { filter: { payload: 1 } });
    await ctx.server.until(() => news.state === 'subscribed');
    await sleep(20);
    expect(ctx.server.commands('subscribe').map((c) => c.arguments)).toEqual([{ action: ['published'], resource: { type: 'channel', name: 'news' }, positions: true }]);
    ctx.server.peers[0]!.event('news', 1);
    ctx.server.peers[0]!.event('news', 2);
    await ctx.server.until(() => got.length === 3);
    expect(got).toEqual([1, 'f1', 2]);
  });

  it('sends the loosest filter admitting every listener when their keys differ, and resends it on reconnect', async () => {
    const client = connect();
    await client.ready();
    const shop = client.channel('shop');
    shop.on(() => {}, { filter: { 'payload.customer': 1, 'payload.status': 'PAID' } });
    shop.on(() => {}, { filter: { 'payload.customer': 2 } });
    await ctx.server.until(() => filters().length === 2);
    expect(filters()[1]).toEqual({ 'payload.customer': [1, 2] });
    ctx.server.peers[0]!.close(1012);
    await nextState(client, 'open');
    await ctx.server.until(() => filters().length === 3);
    expect(filters()[2]).toEqual({ 'payload.customer': [1, 2] });
  });

  it('throws bad_argument for a filter the server would refuse, and subscribes nothing', async () => {
    const client = connect();
    const orders = client.channel('orders');
    const bad = (filter: unknown) => () => orders.on(() => {}, { filter: filter as never });
    expect(bad({ 'payload.x': { $regex: 'a' } })).toThrow(RtmError);
    expect(bad({ 'payload.x': { $regex: 'a' } })).toThrow(/channel.on: filter "payload.x": unknown operator "\$regex"/);
    expect(bad({ 'data.x': 1 })).toThrow(/paths start with eventName, payload/);
    expect(bad('x')).toThrow(/must be an object/);
    expect(() => client.resource('ds', 'orders').on('created', () => {}, { filter: { 'payload.x': 1 } })).toThrow(/resource.on: filter "payload.x": paths start with data/);
    expect(client.stats()).toMatchObject({ subscriptions: 0, listeners: 0 });
  });

  it('leaves the event name out of what it sends when adding it would pass the limits, and still delivers only that name', async () => {
    const client = connect();
    await client.ready();
    const full = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`payload.k${i}`, i]));
    const got: unknown[] = [];
    const wide = client.channel('wide');
    wide.on('order', (p) => got.push(p), { filter: full });
    await ctx.server.until(() => wide.state === 'subscribed');
    // A 17th key would be refused by the server (error 4) for a filter the listener wrote within the limits.
    expect(filters()).toEqual([Object.fromEntries(Object.entries(full).map(([key, value]) => [key, [value]]))]);
    const payload = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]));
    ctx.server.peers[0]!.event('wide', payload, 'other');
    ctx.server.peers[0]!.event('wide', payload, 'order');
    await ctx.server.until(() => got.length === 1);
    await sleep(20);
    expect(got).toEqual([payload]);
  });
});

describe('typed filter paths', () => {
  it("checks payload paths against the channel's payload type, and takes any path on an untyped channel", () => {
    const client = connect();
    const typed = client.channel<{ customer: number; lines: Array<{ sku: string }>; meta: { region: string } }>('typed');
    const offs = [
      typed.on(() => {}, { filter: { 'payload.customer': [1, 2], 'payload.lines.0.sku': 'A', 'payload.meta.region': 'EU', eventName: 'order', 'modifier.id': 'bob' } }),
      // @ts-expect-error a misspelt payload field is a type error
      typed.on(() => {}, { filter: { 'payload.cusotmer': 1 } }),
      client.channel('untyped').on(() => {}, { filter: { 'payload.anything.at.all': 1 } }),
    ];
    // @ts-expect-error a path outside the channel event is a type error too (and bad_argument at run time)
    expect(() => typed.on(() => {}, { filter: { 'data.customer': 1 } })).toThrow(/paths start with eventName/);
    expect(client.stats().listeners).toBe(3);
    offs.forEach((off) => off?.());
  });
});

describe('resource.on with a filter', () => {
  it('asks the server for the merged filter over every action set of the resource, and filters each handler locally', async () => {
    const client = connect();
    await client.ready();
    const orders = client.resource('ds', 'orders');
    const got: string[] = [];
    orders.on('created', (e) => got.push(`c${JSON.stringify(e.data)}`), { filter: { 'data.customer': 42 } });
    orders.on('all', (e) => got.push(`a${JSON.stringify(e.data)}`), { filter: { 'data.customer': 7 } });
    await ctx.server.until(() => orders.state === 'subscribed' && filters().length >= 2);
    await sleep(20);
    // Both action sets share the resource's one server filter: the server holds one per resource and connection.
    expect(filters().at(-1)).toEqual({ 'data.customer': [42, 7] });
    const send = (action: string, data: unknown) => ctx.server.peers[0]!.send({ type: 'event', data: { action, resource: { type: 'ds', name: 'orders' }, timestamp: '', data } });
    send('created', [{ customer: 1 }, { customer: 42 }]);
    send('created', [{ customer: 7 }]);
    send('deleted', [{ customer: 42 }]);
    await ctx.server.until(() => got.length === 2);
    await sleep(20);
    expect(got).toEqual(['c[{"customer":1},{"customer":42}]', 'a[{"customer":7}]']);
  });
});
