// Offsets per subscription, `since` on every resubscribe, replay merged with live events, recovery events,
// and publishes re-sent with their own correlation ID after a lost acknowledgement.
import { describe, expect, it } from 'vitest';
import type { RecoveryEvent } from './subscriptions.js';
import { advance, positionOf } from '../protocol/index.js';
import { nextState, type Peer } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();

/** Sends channel event number `offset` of epoch `epoch`, its payload the offset. */
const event = (peer: Peer, channel: string, offset: number, epoch = 'e1'): void =>
  peer.send({
    type: 'event',
    data: { action: 'published', resource: { type: 'channel', name: channel }, modifier: { id: 'x' }, timestamp: new Date().toISOString(), data: { eventName: null, payload: offset }, offset, epoch },
  });

describe('stream positions', () => {
  it('reads {epoch, offset} and nothing else', () => {
    expect(positionOf({ epoch: 'a', offset: 3, other: 1 })).toEqual({ epoch: 'a', offset: 3 });
    for (const bad of [{}, { epoch: 'a' }, { epoch: 1, offset: 1 }, { epoch: 'a', offset: -1 }, { epoch: 'a', offset: 1.5 }, null, 'x']) expect(positionOf(bad)).toBeUndefined();
  });

  it('moves forward only: a repeat or an older offset is dropped; another epoch starts over', () => {
    expect(advance(undefined, { epoch: 'a', offset: 5 })).toEqual({ epoch: 'a', offset: 5 });
    expect(advance({ epoch: 'a', offset: 5 }, { epoch: 'a', offset: 6 })).toEqual({ epoch: 'a', offset: 6 });
    expect(advance({ epoch: 'a', offset: 5 }, { epoch: 'a', offset: 5 })).toBeUndefined();
    expect(advance({ epoch: 'a', offset: 5 }, { epoch: 'a', offset: 2 })).toBeUndefined();
    expect(advance({ epoch: 'a', offset: 5 }, { epoch: 'b', offset: 1 })).toEqual({ epoch: 'b', offset: 1 });
  });
});

describe('recovery after a reconnect', () => {
  it('resubscribes with since = the last delivered offset, and delivers the replay merged with live events exactly once, in order', async () => {
    ctx.server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e1', offset: 10, ...(r.arguments.since ? { recovered: true } : {}) } : {} });
    const client = connect();
    const got: unknown[] = [];
    const recoveries: RecoveryEvent[] = [];
    client.on('recovery', (e) => recoveries.push(e));
    const room = client.channel('room');
    const seen: unknown[] = [];
    room.onRecovery((r) => seen.push(r));
    room.on((payload) => got.push(payload));
    await ctx.server.until(() => room.state === 'subscribed');
    expect(ctx.server.commands('subscribe')[0]!.arguments.since).toBeUndefined();
    const first = ctx.server.peers[0]!;
    event(first, 'room', 11);
    event(first, 'room', 12);
    await ctx.server.until(() => got.length === 2);
    expect(recoveries).toEqual([]);

    // On the next link the server replays 12 (already seen) to 14 before answering, then goes live with 14 (a repeat) and 15.
    ctx.server.reply = (r) => {
      if (r.command !== 'subscribe') return { response: {} };
      for (const offset of [12, 13, 14]) event(r.peer, 'room', offset);
      return { response: { epoch: 'e1', offset: 14, recovered: true } };
    };
    first.kill();
    const second = await ctx.server.nextPeer();
    await ctx.server.until(() => ctx.server.commands('subscribe').length === 2);
    expect(ctx.server.commands('subscribe')[1]!.arguments.since).toEqual({ epoch: 'e1', offset: 12 });
    await ctx.server.until(() => recoveries.length === 1);
    event(second, 'room', 14);
    event(second, 'room', 15);
    await ctx.server.until(() => got.length === 5);
    expect(got).toEqual([11, 12, 13, 14, 15]);
    expect(recoveries).toEqual([{ resource: { type: 'channel', name: 'room' }, recovered: true }]);
    expect(seen).toEqual([{ recovered: true }]);
  });

  it('reports recovered: false with the server’s reason, and starts over from the position the server gives', async () => {
    ctx.server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e1', offset: 3 } : {} });
    const client = connect();
    const got: unknown[] = [];
    const seen: unknown[] = [];
    const room = client.channel('room');
    room.on((payload) => got.push(payload));
    room.onRecovery((r) => seen.push(r));
    await ctx.server.until(() => room.state === 'subscribed');
    ctx.server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e2', offset: 7, recovered: false, reason: 'epoch', info: 'restarted' } : {} });
    ctx.server.peers[0]!.kill();
    const second = await ctx.server.nextPeer();
    await ctx.server.until(() => seen.length === 1);
    expect(ctx.server.commands('subscribe')[1]!.arguments.since).toEqual({ epoch: 'e1', offset: 3 });
    expect(seen).toEqual([{ recovered: false, reason: 'epoch', info: 'restarted' }]);
    // The new epoch's events are delivered from the new position on.
    event(second, 'room', 7, 'e2');
    event(second, 'room', 8, 'e2');
    await ctx.server.until(() => got.length === 1);
    expect(got).toEqual([8]);

    // The next drop asks from the new epoch.
    ctx.server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e2', offset: 8, recovered: true } : {} });
    second.kill();
    await ctx.server.until(() => seen.length === 2);
    expect(ctx.server.commands('subscribe')[2]!.arguments.since).toEqual({ epoch: 'e2', offset: 8 });
  });

  it('after a failed recovery the server’s position is the new baseline, even when it is behind the old one', async () => {
    ctx.server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e1', offset: 5 } : {} });
    const client = connect();
    const got: unknown[] = [];
    client.channel('room').on((payload) => got.push(payload));
    await ctx.server.until(() => client.channel('room').state === 'subscribed');
    // The stream was reset without a new epoch (a shared store that lost it): offsets 3, 4… are new events.
    ctx.server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e1', offset: 2, recovered: false, reason: 'epoch', info: 'offset 5 is ahead' } : {} });
    ctx.server.peers[0]!.kill();
    const second = await ctx.server.nextPeer();
    await ctx.server.until(() => ctx.server.commands('subscribe').length === 2 && client.channel('room').state === 'subscribed');
    event(second, 'room', 3);
    await ctx.server.until(() => got.length === 1);
    expect(got).toEqual([3]);
  });

  it('against a server without history, every resubscription reports recovered: false (unsupported); events are delivered as they come', async () => {
    const client = connect();
    const got: unknown[] = [];
    const recoveries: RecoveryEvent[] = [];
    client.on('recovery', (e) => recoveries.push(e));
    client.channel('plain').on((payload) => got.push(payload));
    await ctx.server.until(() => client.channel('plain').state === 'subscribed');
    ctx.server.peers[0]!.event('plain', 'a');
    ctx.server.peers[0]!.event('plain', 'a');
    await ctx.server.until(() => got.length === 2);
    ctx.server.peers[0]!.kill();
    await ctx.server.until(() => recoveries.length === 1);
    expect(ctx.server.commands('subscribe')[1]!.arguments.since).toBeUndefined();
    expect(recoveries[0]).toMatchObject({ resource: { type: 'channel', name: 'plain' }, recovered: false, reason: 'unsupported' });
  });

  it('a subscription first made after the drop is not a resubscription: no recovery event', async () => {
    const client = connect();
    const recoveries: RecoveryEvent[] = [];
    client.on('recovery', (e) => recoveries.push(e));
    await client.ready();
    ctx.server.peers[0]!.kill();
    await nextState(client, 'reconnecting');
    client.channel('late').on(() => {});
    await ctx.server.until(() => client.channel('late').state === 'subscribed');
    expect(recoveries).toEqual([]);
  });
});

describe('publishes across a lost link', () => {
  it('a publish whose response was lost goes back to the outbox and is re-sent first, with the same correlation_id, then resolves', async () => {
    const client = connect();
    await client.ready();
    ctx.server.reply = () => null; // the acknowledgements are lost with the link
    const channel = client.channel('room');
    const first = channel.publish('n', 1);
    const second = channel.publish('n', 2);
    await ctx.server.until(() => ctx.server.commands('publish').length === 2);
    const ids = ctx.server.commands('publish').map((r) => r.correlation_id);
    ctx.server.peers[0]!.kill();
    await nextState(client, 'reconnecting');
    const third = channel.publish('n', 3);
    expect(client.stats()).toMatchObject({ pending: 3, queued: 3 });
    ctx.server.reply = () => ({ response: { ok: true } });
    await expect(Promise.all([first, second, third])).resolves.toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const resent = ctx.server.commands('publish').slice(2);
    expect(resent.map((r) => r.arguments.data.payload)).toEqual([1, 2, 3]);
    expect(resent.slice(0, 2).map((r) => r.correlation_id)).toEqual(ids);
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
  });

  it('re-queued publishes fit whatever the outbox limit, and other commands still fail with disconnected', async () => {
    const client = connect({ maxQueued: 1, requestTimeout: 300 });
    await client.ready();
    ctx.server.reply = () => null;
    const publishes = [1, 2, 3].map((n) => client.channel('room').publish('n', n));
    const other = client.request('custom').catch((e: unknown) => e);
    await ctx.server.until(() => ctx.server.received.length === 4);
    ctx.server.peers[0]!.kill();
    expect(await other).toMatchObject({ code: 'disconnected' });
    ctx.server.reply = (r) => ({ response: r.arguments?.data?.payload ?? {} });
    await expect(Promise.all(publishes)).resolves.toEqual([1, 2, 3]);
  });

  it('with maxQueued 0 (fail fast), a publish sent when the link drops still rejects with disconnected', async () => {
    const client = connect({ maxQueued: 0 });
    await client.ready();
    ctx.server.reply = () => null;
    const publish = client.channel('room').publish('n', 1).catch((e: unknown) => e);
    await ctx.server.until(() => ctx.server.commands('publish').length === 1);
    ctx.server.peers[0]!.kill();
    expect(await publish).toMatchObject({ code: 'disconnected' });
  });

  it('close() rejects a publish waiting to be re-sent with closed', async () => {
    const client = connect({ reconnect: false });
    await client.ready();
    ctx.server.reply = () => null;
    const publish = client.channel('room').publish('n', 1).catch((e: unknown) => e);
    await ctx.server.until(() => ctx.server.commands('publish').length === 1);
    ctx.server.peers[0]!.kill();
    expect(await publish).toMatchObject({ code: 'closed' });
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0, timers: 0 });
  });
});
