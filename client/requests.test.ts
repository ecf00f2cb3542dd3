import { describe, expect, it } from 'vitest';
import type { RtmClient } from './client.js';
import { correlationKey } from './requests.js';
import { nextState, sleep } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();

describe('correlation', () => {
  it('generates IDs unique to this client (a random prefix and a number) and resolves each request with its own response', async () => {
    const client = connect();
    ctx.server.reply = async (r) => {
      // Answer out of order: the later request first.
      if (r.arguments?.n === 1) await sleep(30);
      return { response: { echo: r.arguments.n } };
    };
    await client.ready();
    const [a, b] = await Promise.all([client.request('echo', { n: 1 }), client.request('echo', { n: 2 })]);
    expect([a, b]).toEqual([{ echo: 1 }, { echo: 2 }]);
    const ids = ctx.server.received.map((r) => r.correlation_id as string);
    // Number 1 went to the client's own ping on open (see handshakes).
    expect(ctx.server.handshakes).toBe(1);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-z]{12}-2$/), expect.stringMatching(/^[0-9a-z]{12}-3$/)]);
    // Another client (a reload, another tab of the same user) numbers after another prefix, so the server's publish de-duplication never confuses the two.
    const other = connect();
    await other.ready();
    await other.request('echo', { n: 3 });
    expect(ctx.server.received[2]!.correlation_id).not.toBe(ids[0]);
  });

  it.each([['a string', 'req-1'], ['an array', [1, 'x']], ['an object', { b: 1, a: [2, { d: 1, c: 2 }] }], ['zero', 0], ['false', false]])(
    'accepts a caller-supplied ID: %s',
    async (_, id) => {
      const client = connect();
      await client.ready();
      await expect(client.request('x', null, { id })).resolves.toEqual({});
      expect(ctx.server.received[0]!.correlation_id).toEqual(id);
    },
  );

  it('matches an object ID whatever order the server echoes its keys in', async () => {
    expect(correlationKey({ b: 1, a: { y: 2, x: 1 } })).toBe(correlationKey({ a: { x: 1, y: 2 }, b: 1 }));
    const client = connect();
    await client.ready();
    ctx.server.reply = (r) => {
      const { a, b } = r.correlation_id as { a: unknown; b: unknown };
      r.peer.send({ type: 'command response', data: { request: { command: r.command, correlation_id: { b, a } }, response: 'matched' } });
      return null;
    };
    await expect(client.request('x', null, { id: { a: 1, b: 2 } })).resolves.toBe('matched');
  });

  it('settles a command whether the server echoes the whole request message (as RTC says) or only its data', async () => {
    const client = connect();
    await client.ready();
    ctx.server.reply = (r) => {
      const { peer, ...data } = r;
      const request = data.arguments === 'whole' ? { type: 'command', data } : data;
      peer.send({ type: 'command response', data: { request, ...(data.command === 'fail' ? { error: { code: 2, info: 'no' } } : { response: data.arguments }) } });
      return null;
    };
    await expect(client.request('x', 'whole')).resolves.toBe('whole');
    await expect(client.request('x', 'data only')).resolves.toBe('data only');
    await expect(client.request('fail', 'whole')).rejects.toMatchObject({ code: 2, info: 'no' });
    await expect(client.request('fail', 'data only')).rejects.toMatchObject({ code: 2, info: 'no' });
    // An unmatched echo settles nothing: the command still waits for its own response.
    ctx.server.reply = (r) => {
      r.peer.send({ type: 'command response', data: { request: { type: 'command', data: { command: r.command, correlation_id: 'other' } }, response: 1 } });
      return null;
    };
    await expect(client.request('x', null, { timeout: 100 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('rejects an ID already in flight, and never reuses a caller ID for generated ones', async () => {
    const client = connect();
    await client.ready();
    ctx.server.reply = () => null;
    void client.request('probe', null, { timeout: 200 }).catch(() => {});
    await ctx.server.until(() => ctx.server.received.length === 1);
    const prefix = (ctx.server.received[0]!.correlation_id as string).replace(/2$/, '');
    void client.request('x', null, { id: `${prefix}3`, timeout: 200 }).catch(() => {});
    await expect(client.request('x', null, { id: `${prefix}3` })).rejects.toMatchObject({ code: 'bad_argument' });
    void client.request('y', null, { timeout: 200 }).catch(() => {});
    await ctx.server.until(() => ctx.server.received.length === 3);
    expect(ctx.server.received.map((r) => r.correlation_id)).toEqual([`${prefix}2`, `${prefix}3`, `${prefix}4`]);
  });
});

/**
 * Waits until the client holds only its liveness timer (the deadline timer of the ping sent on open, kept until its
 * deadline, is gone: pass a short pingTimeout) and returns that count.
 */
async function idle(client: RtmClient): Promise<number> {
  await client.ready();
  await ctx.server.until(() => client.stats().timers === 1);
  return 1;
}

describe('settlement', () => {
  it('a response with error rejects with RtmError { code, info, request }', async () => {
    const client = connect();
    ctx.server.reply = () => ({ error: { code: 2, info: 'not allowed' } });
    await client.ready();
    const error = await client.request('publish', { channel: 'x', data: 1 }).catch((e) => e);
    expect(error).toMatchObject({ name: 'RtmError', code: 2, info: 'not allowed', request: { command: 'publish', correlation_id: expect.any(String) } });
  });

  it('times out (default 5 s, here per call), counted from sending, and leaves no entry or timer', async () => {
    const client = connect({ pingTimeout: 50 });
    ctx.server.reply = () => null;
    const baseline = await idle(client);
    const started = Date.now();
    await expect(client.request('slow', null, { timeout: 80 })).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(client.stats()).toMatchObject({ pending: 0, timers: baseline });
  });

  it('commands in flight share one timer, and each still times out at its own deadline, earliest first', async () => {
    const client = connect({ pingTimeout: 50 });
    ctx.server.reply = () => null;
    const baseline = await idle(client);
    const order: number[] = [];
    const calls = [300, 100, 200].map((timeout) => client.request('slow', null, { timeout }).catch((error) => void order.push(error.code === 'timeout' ? timeout : -1)));
    expect(client.stats()).toMatchObject({ pending: 3, timers: baseline + 1 });
    await Promise.all(calls);
    expect(order).toEqual([100, 200, 300]);
    expect(client.stats()).toMatchObject({ pending: 0, timers: baseline });
  });

  it('the deadline timer outlives the last settled command until its deadline (not a platform timer per publish), then goes', async () => {
    const client = connect({ pingTimeout: 50 });
    const baseline = await idle(client);
    await client.request('x', null, { timeout: 100 });
    expect(client.stats()).toMatchObject({ pending: 0, timers: baseline + 1 });
    await client.request('x', null, { timeout: 100 });
    expect(client.stats().timers).toBe(baseline + 1);
    await ctx.server.until(() => client.stats().timers === baseline);
  });

  it('AbortSignal rejects with aborted; a late response is ignored; nothing is left behind', async () => {
    const client = connect();
    let answer: (() => void) | undefined;
    ctx.server.reply = () => new Promise((resolve) => (answer = () => resolve({ response: 'late' })));
    await client.ready();
    const baseline = client.stats().timers;
    const controller = new AbortController();
    const pending = client.request('x', null, { signal: controller.signal });
    await ctx.server.until(() => answer !== undefined);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(client.stats()).toMatchObject({ pending: 0, timers: baseline });
    answer!();
    await sleep(20);
    await expect(client.request('x', null, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('an aborted queued request is never sent', async () => {
    const client = connect();
    const controller = new AbortController();
    const pending = client.request('never', null, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await client.ready();
    await client.request('after');
    expect(ctx.server.received.map((r) => r.command)).toEqual(['after']);
  });

  it('a drop rejects sent requests with disconnected, but keeps subscriptions and queued publishes', async () => {
    const client = connect();
    await client.ready();
    client.channel('kept').on(() => {});
    await ctx.server.until(() => ctx.server.commands('subscribe').length === 1);
    ctx.server.reply = () => null;
    const sent = client.request('lost');
    await ctx.server.until(() => ctx.server.commands('lost').length === 1);
    ctx.server.peers[0]!.close(1012);
    await expect(sent).rejects.toMatchObject({ code: 'disconnected' });
    const queued = client.channel('kept').publish('e', 1);
    ctx.server.reply = () => ({ response: 'ok' });
    await nextState(client, 'open');
    await expect(queued).resolves.toBe('ok');
    expect(ctx.server.commands('subscribe')).toHaveLength(2);
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
  });

  it('close() rejects a sent request with closed, not disconnected', async () => {
    const client = connect();
    ctx.server.reply = () => null;
    await client.ready();
    const pending = client.request('slow');
    await ctx.server.until(() => ctx.server.commands('slow').length === 1);
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
  });

  it('an unmatched error response is reported, not dropped silently', async () => {
    const client = connect();
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e.code));
    await client.ready();
    ctx.server.peers[0]!.send({ type: 'command response', data: { request: null, error: { code: 4, info: 'bad frame' } } });
    ctx.server.peers[0]!.send('not json at all');
    await client.request('x');
    expect(errors).toEqual([4, 'protocol']);
  });
});
