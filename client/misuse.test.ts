// What the client does when it is misused, or when the app's own code misbehaves: bad arguments give an RtmError
// `bad_argument` at the call, never a TypeError from deep inside or a command left pending; throwing event
// handlers cannot break the connection; nothing is armed after close(); tokens never ride along in errors.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type ClientOptions } from './client.js';
import { RtmError } from './errors.js';
import { fakeJwt, sleep } from './scripted-server.test-util.js';
import { errorOf, useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();
const inSeconds = (s: number): number => Math.floor(Date.now() / 1000) + s;


describe('bad arguments', () => {
  it('a payload JSON cannot carry (BigInt, a cycle) rejects with bad_argument and leaves nothing pending', async () => {
    const client = connect();
    await client.ready();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const payload of [10n, cyclic]) {
      const error = await errorOf(() => client.channel('room').publish('x', payload as never));
      expect(error.code).toBe('bad_argument');
    }
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
    await expect(client.channel('room').publish('x', 1)).resolves.toEqual({});
  });

  it('a bad payload queued while offline is refused at once and cannot block the outbox on the next open', async () => {
    ctx.server.refuse = true;
    const client = connect();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = errorOf(() => client.channel('room').publish('x', cyclic as never));
    const good = client.channel('room').publish('y', 2);
    expect((await bad).code).toBe('bad_argument');
    ctx.server.refuse = false;
    await expect(good).resolves.toEqual({});
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
  });

  it("channel.on('error', h) is refused with words that point at onError, client.on and the filter for such messages", async () => {
    const client = connect();
    const room = client.channel('room');
    for (const name of ['error', 'state', 'notification', 'token', 'recovery', 'transport', 'direct']) {
      const error = await errorOf(() => room.on(name, () => {}));
      expect(error.code).toBe('bad_argument');
      expect(error.message).toContain(`channel.on('${name}'): a client event name`);
      expect(error.message).toContain('onError/onState, client.on or filter');
    }
    expect(client.stats().listeners).toBe(0);
    const named: unknown[] = [];
    const all: unknown[] = [];
    room.on((payload) => named.push(payload), { filter: { eventName: 'error' } });
    room.on('errors', (payload) => all.push(payload));
    await ctx.server.until(() => room.state === 'subscribed');
    ctx.server.peers[0]!.event('room', 1, 'error');
    ctx.server.peers[0]!.event('room', 2, 'errors');
    await ctx.server.until(() => named.length === 1 && all.length === 1);
    expect(named).toEqual([1]);
    expect(all).toEqual([2]);
  });

  it('request() checks its command and options', async () => {
    const client = connect();
    for (const call of [
      () => client.request(42 as never),
      () => client.request(''),
      () => client.request('ping', undefined, null as never),
      () => client.request('ping', undefined, { timeout: 'soon' as never }),
      () => client.request('ping', undefined, { timeout: -1 }),
      () => client.request('ping', undefined, { id: (() => 1) as never }),
      () => client.request('ping', undefined, { signal: {} as never }),
    ]) {
      expect((await errorOf(call)).code).toBe('bad_argument');
    }
    expect(client.stats().pending).toBe(0);
  });

  it('createClient checks its numbers, backoff and environment', () => {
    const base: ClientOptions = { url: ctx.server.url, token: 't', WebSocket };
    for (const bad of [
      { pingInterval: 0 },
      { pingTimeout: Number.NaN },
      { requestTimeout: '5s' },
      { connectTimeout: -5 },
      { maxQueued: -1 },
      { maxQueued: 1.5 },
      { reconnect: { minDelay: 'x' } },
      { reconnect: { maxDelay: 0 } },
      { environment: 'browser' },
      { debug: 'yes' },
    ]) {
      expect(() => createClient({ ...base, ...(bad as object) }), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'bad_argument' }));
    }
  });

  it('on() needs a known event and a handler function', async () => {
    const client = connect();
    expect((await errorOf(() => client.on('state', undefined as never))).code).toBe('bad_argument');
    expect((await errorOf(() => client.on('sate' as never, (() => {}) as never))).code).toBe('bad_argument');
  });
});

describe("the app's own handlers", () => {
  it('a throwing state or notification handler is reported; the others still run and the client carries on', async () => {
    const client = connect();
    const errors: unknown[] = [];
    const seen: string[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('state', () => {
      throw new Error('app bug');
    });
    client.on('state', ({ state }) => seen.push(state));
    client.on('notification', () => {
      throw new Error('app bug');
    });
    await client.ready();
    ctx.server.peers[0]!.send({ type: 'notification', data: { code: 42, info: 'hello' } });
    await expect(client.channel('room').publish('x', 1)).resolves.toEqual({});
    await ctx.server.until(() => errors.length === 3);
    expect(seen).toEqual(['connecting', 'open']);
    expect(errors.map((e) => (e as RtmError).code)).toEqual(['handler', 'handler', 'handler']);
  });

  it('a throwing subscription state handler is reported and the subscription still completes', async () => {
    const client = connect();
    const errors: RtmError[] = [];
    client.on('error', (error) => errors.push(error));
    const room = client.channel('room');
    room.onState(() => {
      throw new Error('app bug');
    });
    const got: unknown[] = [];
    room.on((payload) => got.push(payload));
    await ctx.server.until(() => room.state === 'subscribed');
    ctx.server.peers[0]!.event('room', 7);
    await ctx.server.until(() => got.length === 1);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 'handler')).toBe(true);
    expect(() => room.onState(null as never)).toThrow(expect.objectContaining({ code: 'bad_argument' }));
  });

  it('the same handler added twice is two listeners: stopping one leaves the other (nanoevents alone would drop both)', async () => {
    const client = connect();
    const room = client.channel('room');
    const states: string[] = [];
    const notes: string[] = [];
    const onState = (state: string): void => void states.push(state);
    const onNote = ({ info }: { info: string }): void => void notes.push(info);
    const stopState = room.onState(onState);
    room.onState(onState);
    const stopNote = client.on('notification', onNote);
    client.on('notification', onNote);
    stopState();
    stopNote();
    room.on(() => {});
    await ctx.server.until(() => room.state === 'subscribed');
    ctx.server.peers[0]!.send({ type: 'notification', data: { code: 42, info: 'hi' } });
    await ctx.server.until(() => notes.length > 0);
    await client.request('ping');
    expect(notes).toEqual(['hi']);
    expect(states.filter((state) => state === 'subscribed')).toEqual(['subscribed']);
  });

  it('a throwing error handler does not take the client down either', async () => {
    const client = connect();
    client.on('error', () => {
      throw new Error('app bug');
    });
    await client.ready();
    ctx.server.peers[0]!.ws.send('not json');
    await expect(client.channel('room').publish('x', 1)).resolves.toEqual({});
  });
});

describe('after close()', () => {
  it('a token that arrives after close arms no refresh timer (the process could not exit)', async () => {
    let deliver!: (token: string) => void;
    const client = connect({ token: () => new Promise<string>((resolve) => (deliver = resolve)) });
    await sleep(20);
    client.close();
    deliver(fakeJwt(inSeconds(3600)));
    await sleep(20);
    expect(client.stats().timers).toBe(0);
  });

  it('a refresh that fails after close arms no retry timer', async () => {
    let calls = 0;
    let fail!: (error: Error) => void;
    const client = connect({
      token: () => (calls++ === 0 ? fakeJwt(inSeconds(3600)) : new Promise<string>((_, reject) => (fail = reject))),
      // Long enough that the retry timer, if armed, is still there when counted.
      reconnect: { minDelay: 5_000, maxDelay: 5_000 },
    });
    await client.ready();
    ctx.server.peers[0]!.send({ type: 'notification', data: { code: 1, info: 'token is about to expire' } });
    await ctx.server.until(() => calls === 2);
    client.close();
    fail(new Error('token endpoint down'));
    await sleep(20);
    expect(client.stats().timers).toBe(0);
  });
});

describe('tokens stay out of errors', () => {
  it('a refused or timed-out jwt replace reports an error that does not contain the token', async () => {
    const fresh = fakeJwt(inSeconds(3600), 'fresh-user');
    let calls = 0;
    const client = connect({ token: () => (calls++ === 0 ? fakeJwt(inSeconds(3600)) : fresh), requestTimeout: 100 });
    const errors: RtmError[] = [];
    client.on('error', (error) => errors.push(error));
    await client.ready();
    ctx.server.reply = (r) => (r.command === 'jwt replace' ? { error: { code: 9, info: 'try later' } } : { response: {} });
    ctx.server.peers[0]!.send({ type: 'notification', data: { code: 1, info: 'token is about to expire' } });
    await ctx.server.until(() => errors.length === 1);
    ctx.server.reply = (r) => (r.command === 'jwt replace' ? null : { response: {} });
    ctx.server.peers[0]!.send({ type: 'notification', data: { code: 1, info: 'token is about to expire' } });
    await ctx.server.until(() => errors.length === 2);
    expect(ctx.server.commands('jwt replace').length).toBeGreaterThanOrEqual(2);
    for (const error of errors) {
      const shown = inspect(error, { depth: 10 });
      expect(shown).toContain('jwt replace');
      expect(shown).not.toContain(fresh.split('.')[1]);
    }
  });
});
