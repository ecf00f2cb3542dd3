// Nothing waits for ever by default: ready() and queued publishes settle within a bound, and ready() means the
// server accepted the token, not merely that a socket opened.
import { describe, expect, it } from 'vitest';
import { RtmError } from './errors.js';
import { nextState } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();

describe('ready()', () => {
  it('rejects with timeout after options.timeout while the server is unreachable, saying where things stand', async () => {
    ctx.server.refuse = true;
    const client = connect();
    const error = await client.ready({ timeout: 150 }).catch((e: RtmError) => e);
    expect(error).toMatchObject({ code: 'timeout' });
    expect((error as RtmError).info).toMatch(/not connected within 150 ms \((connecting|reconnecting): /);
    expect(client.state).not.toBe('closed'); // only the wait gave up: the client keeps trying
  });

  it('a token function that never settles is given up after queueTimeout: a token error, then a new call that connects', async () => {
    let calls = 0;
    const client = connect({
      queueTimeout: 150,
      token: () => (++calls === 1 ? new Promise<string>(() => {}) : 'ok'),
    });
    const errors: RtmError[] = [];
    client.on('error', (e) => errors.push(e));
    await client.ready({ timeout: 10_000 });
    expect(calls).toBe(2);
    expect(errors.map((e) => e.code)).toEqual(['token']);
    expect(String((errors[0]!.cause as Error).message)).toContain('did not settle within 150 ms');
    expect(ctx.server.peers[0]!.token).toBe('ok');
  });

  it('defaults to queueTimeout', async () => {
    ctx.server.refuse = true;
    const client = connect({ queueTimeout: 120 });
    await expect(client.ready()).rejects.toMatchObject({ code: 'timeout' });
  });

  it('rejects with aborted when the signal fires, and with bad_argument for unknown options', async () => {
    ctx.server.refuse = true;
    const client = connect();
    const controller = new AbortController();
    const waiting = client.ready({ signal: controller.signal, timeout: Number.POSITIVE_INFINITY });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
    await expect(client.ready({ timout: 5 } as never)).rejects.toMatchObject({ code: 'bad_argument', info: expect.stringContaining('did you mean "timeout"') });
    await expect(client.ready({ timeout: 0 })).rejects.toMatchObject({ code: 'bad_argument', info: 'timeout must be a number of ms > 0 (got 0)' });
  });

  it('rejects with closed when the client closes while waiting, even with no timeout', async () => {
    ctx.server.refuse = true;
    const client = connect();
    const waiting = client.ready({ timeout: Number.POSITIVE_INFINITY });
    await nextState(client, 'reconnecting');
    client.close();
    await expect(waiting).rejects.toMatchObject({ code: 'closed' });
    expect(client.stats().timers).toBe(0);
  });

  it('resolves only once the server answered on the link, not when the socket opens', async () => {
    let answer: (() => void) | undefined;
    const client = connect();
    ctx.server.reply = () => new Promise((resolve) => (answer = () => resolve({ response: {} })));
    client.channel('room').on(() => {});
    let ready = false;
    void client.ready().then(() => (ready = true));
    await nextState(client, 'open');
    await ctx.server.until(() => answer !== undefined);
    expect(ready).toBe(false);
    answer!();
    await ctx.server.until(() => ready);
  });

  it('with a string token the server refuses, rejects with unauthorized and the client stops', async () => {
    ctx.server.verify = () => 'invalid signature';
    const client = connect({ token: 'garbage' });
    const errors: RtmError[] = [];
    client.on('error', (error) => errors.push(error));
    const error = await client.ready().catch((e: RtmError) => e);
    expect(error).toMatchObject({ code: 'unauthorized', info: expect.stringContaining('invalid signature') });
    expect(client.state).toBe('closed');
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    expect(ctx.server.peers).toHaveLength(1);
  });
});

describe('queueTimeout', () => {
  it('a publish that waited longer than queueTimeout rejects with timeout, and is never sent later', async () => {
    ctx.server.refuse = true;
    const client = connect({ queueTimeout: 100 });
    const expired = client.channel('room').publish('x', { n: 1 });
    await expect(expired).rejects.toMatchObject({ code: 'timeout', info: expect.stringContaining('queueTimeout') });
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
    ctx.server.refuse = false;
    await client.ready({ timeout: 10_000 });
    // Sent on a link that is up: settles with the server's answer. The expired one never followed it.
    await expect(client.channel('room').publish('x', { n: 2 })).resolves.toEqual({});
    expect(ctx.server.commands('publish').map((r) => r.arguments.data.payload.n)).toEqual([2]);
  });

  it('counts again for a sent publish put back in the outbox by a drop', async () => {
    const client = connect({ queueTimeout: 150 });
    await client.ready();
    ctx.server.reply = () => null;
    const publish = client.channel('room').publish('x', 1, { timeout: 60_000 });
    await ctx.server.until(() => ctx.server.commands('publish').length === 1);
    ctx.server.refuse = true;
    ctx.server.peers[0]!.kill();
    await expect(publish).rejects.toMatchObject({ code: 'timeout' });
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
  });

  it('Infinity waits for the connection however long it takes', async () => {
    ctx.server.refuse = true;
    const client = connect({ queueTimeout: Number.POSITIVE_INFINITY });
    const publish = client.channel('room').publish('x', 1);
    await nextState(client, 'reconnecting');
    await new Promise((r) => setTimeout(r, 200));
    expect(client.stats().queued).toBe(1);
    ctx.server.refuse = false;
    await expect(publish).resolves.toEqual({});
  });
});
