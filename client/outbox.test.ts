import { describe, expect, it } from 'vitest';
import { createOutbox } from './outbox.js';
import { nextState, sleep } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();

describe('outbox', () => {
  it('no messages lost during a disconnect: publishes made while down are sent in order on reconnect, each settling with its response', async () => {
    const client = connect({ reconnect: { minDelay: 100, maxDelay: 100 } });
    await client.ready();
    ctx.server.peers[0]!.close(1012);
    await nextState(client, 'reconnecting');
    ctx.server.reply = (r) => ({ response: { seq: r.arguments?.data?.payload } });
    const results = Promise.all(Array.from({ length: 20 }, (_, i) => client.channel('q').publish('n', i)));
    expect(client.stats().queued).toBe(20);
    await nextState(client, 'open');
    expect(await results).toEqual(Array.from({ length: 20 }, (_, i) => ({ seq: i })));
    expect(ctx.server.commands('publish').map((r) => r.arguments.data.payload)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(ctx.server.commands('publish').every((r) => r.peer === ctx.server.peers[1])).toBe(true);
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
  });

  it('the offline queue is bounded and a full queue rejects loudly, never drops', async () => {
    ctx.server.refuse = true;
    const client = connect({ maxQueued: 3 });
    const publishes = [0, 1, 2, 3, 4].map((i) => client.channel('q').publish('n', i));
    for (const waiting of publishes.slice(0, 3)) waiting.catch(() => {}); // rejected with closed after the test
    // The first three wait, the last two are refused at once.
    const refused = await Promise.allSettled(publishes.slice(3));
    expect(refused.map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(['outbox_full', 'outbox_full']);
    expect(client.stats().queued).toBe(3);
  });

  it('maxQueued 0 fails fast with disconnected while not connected', async () => {
    ctx.server.refuse = true;
    const client = connect({ maxQueued: 0 });
    await expect(client.channel('q').publish('n', 1)).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('queued publishes are rejected with closed when the client closes; nothing is left', async () => {
    ctx.server.refuse = true;
    const client = connect();
    const pending = client.channel('q').publish('n', 1);
    await sleep(10);
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    expect(client.stats()).toEqual({ subscriptions: 0, listeners: 0, pending: 0, queued: 0, timers: 0 });
  });

  it('Outbox keeps order, refuses past its limit, and removes a given item', () => {
    const box = createOutbox<number>(3);
    expect([1, 2, 3, 4].map((n) => box.add(n))).toEqual([true, true, true, false]);
    box.remove(2);
    expect(box.size()).toBe(2);
    expect(box.drain()).toEqual([1, 3]);
    expect(box.size()).toBe(0);
  });
});

describe('after close', () => {
  it('publishes, requests and listeners after close() reject or do nothing, and keep nothing', async () => {
    const client = connect();
    await client.ready();
    client.close();
    await expect(client.channel('q').publish('n', 1)).rejects.toMatchObject({ code: 'closed' });
    await expect(client.request('ping')).rejects.toMatchObject({ code: 'closed' });
    const off = client.channel('q').on(() => {});
    client.channel('q').onState(() => {});
    client.resource('ds', 'x').onError(() => {});
    off();
    expect(client.channel('q').state).toBe('unsubscribed');
    expect(client.stats()).toEqual({ subscriptions: 0, listeners: 0, pending: 0, queued: 0, timers: 0 });
  });
});
