// The first mistakes a newcomer makes get an answer in words at the call: which argument, what value, what to do.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type ClientOptions } from './client.js';
import { RtmError } from './errors.js';
import { nextState, sleep } from './scripted-server.test-util.js';
import { errorOf, useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();


describe('createClient names the option at fault, with the value received', () => {
  const base = (): ClientOptions => ({ url: ctx.server.url, token: 't', WebSocket });
  it.each([
    [{ url: 'http://localhost:8080/rtc' }, 'url must be a ws:// or wss:// URL (got "http://localhost:8080/rtc")'],
    [{ token: undefined }, 'token must be a JWT string or a function (got undefined)'],
    [{ token: '' }, 'token must be a JWT string or a function (got "")'],
    [{ connectTimeout: 0 }, 'connectTimeout must be a number of ms > 0 (got 0)'],
    [{ reconnect: { minDelay: -1 } }, 'reconnect.minDelay must be a number of ms > 0 (got -1)'],
    [{ queueTimeout: Number.NaN }, 'queueTimeout must be a number of ms > 0 (got NaN)'],
    [{ maxPayload: 1.5 }, 'maxPayload must be a whole number of bytes > 0 (got 1.5)'],
    [{ reconect: false }, 'unknown createClient option "reconect" (did you mean "reconnect"?)'],
    [{ requestTimout: 5 }, 'unknown createClient option "requestTimout" (did you mean "requestTimeout"?)'],
  ])('%j', (override, info) => {
    const error = (() => {
      try {
        createClient({ ...base(), ...override } as ClientOptions);
      } catch (error) {
        return error as RtmError;
      }
      throw new Error('expected createClient to throw');
    })();
    expect(error).toMatchObject({ code: 'bad_argument', info });
  });

  it('never shows a token that rides in the URL', () => {
    expect(() => createClient({ url: 'http://h/rtc?access_token=s3cret', token: 't', WebSocket })).toThrow(/access_token=\[redacted\]/);
  });

  it('an option left undefined takes its default', () => {
    const client = createClient({ ...base(), queueTimeout: undefined, debug: undefined });
    client.close();
  });
});

describe('payloads JSON would change are refused at the call', () => {
  it.each([
    ['undefined', undefined, 'payload is undefined: pass null for no payload'],
    ['NaN', { score: Number.NaN }, 'publish arguments are not JSON: NaN at "score"'],
    ['Infinity', [1, Number.POSITIVE_INFINITY], 'publish arguments are not JSON: Infinity at "1"'],
    ['undefined in an array', [1, undefined], 'publish arguments are not JSON: undefined at "1"'],
    ['a function', { f: () => 1 }, 'publish arguments are not JSON: a function at "f"'],
  ])('%s', async (_, payload, info) => {
    const client = connect();
    const error = await errorOf(() => client.channel('room').publish('x', payload as never));
    expect(error).toMatchObject({ code: 'bad_argument', info });
    expect(client.stats()).toMatchObject({ pending: 0, queued: 0 });
  });

  it('a value with toJSON is checked as what it turns into, as JSON.stringify sends it', async () => {
    const client = connect();
    const at = new Date(0);
    await client.channel('room').publish('x', { at, wrapped: { toJSON: () => ({ ok: 1 }) } } as never);
    expect(ctx.server.commands('publish')[0]!.arguments.data.payload).toEqual({ at: at.toISOString(), wrapped: { ok: 1 } });
    const error = await errorOf(() => client.channel('room').publish('x', { bad: { toJSON: () => [Number.NaN] } } as never));
    expect(error).toMatchObject({ code: 'bad_argument', info: 'publish arguments are not JSON: NaN at "0"' });
  });

  it('an undefined property is left out, as JSON does with optional fields', async () => {
    const client = connect();
    const chat: { text: string; at?: number } = { text: 'hi', at: undefined };
    await client.channel('room').publish('x', chat);
    expect(ctx.server.commands('publish')[0]!.arguments.data.payload).toEqual({ text: 'hi' });
  });

  it('request options are checked by name too', async () => {
    const client = connect();
    expect(await errorOf(() => client.request('ping', undefined, { timout: 5 } as never))).toMatchObject({
      code: 'bad_argument',
      info: 'unknown request option "timout" (did you mean "timeout"?)',
    });
  });
});

describe('too_large', () => {
  it('a publish over maxPayload rejects at the call with too_large, sends nothing, and leaves the link alone', async () => {
    const client = connect();
    await client.ready();
    const states: string[] = [];
    client.on('state', ({ state }) => states.push(state));
    const error = await errorOf(() => client.channel('room').publish('x', { text: 'x'.repeat(70_000) }));
    expect(error).toMatchObject({ code: 'too_large', info: expect.stringMatching(/^publish is 70\d{3} bytes; maxPayload is 65536$/) });
    await expect(client.channel('room').publish('x', 'small')).resolves.toEqual({});
    expect(ctx.server.commands('publish')).toHaveLength(1);
    expect(states).toEqual([]);
  });

  it('counts UTF-8 bytes, and follows the maxPayload option', async () => {
    const client = connect({ maxPayload: 1_000 });
    // 400 characters, 1,200 bytes in UTF-8.
    expect(await errorOf(() => client.channel('room').publish('x', '€'.repeat(400)))).toMatchObject({ code: 'too_large' });
    await expect(client.channel('room').publish('x', 'e'.repeat(400))).resolves.toEqual({});
  });

  it('a server that still closes with 1009 costs a reconnect, not the client', async () => {
    const client = connect();
    await client.ready();
    const room = client.channel('room');
    room.on(() => {});
    await ctx.server.until(() => ctx.server.commands('subscribe').length === 1);
    ctx.server.peers[0]!.close(1009, 'too big');
    expect((await nextState(client, 'reconnecting')).reason).toBe('close 1009 too big');
    await nextState(client, 'open');
    await ctx.server.until(() => ctx.server.commands('subscribe').length === 2);
  });
});

describe('a refused token function gets one fresh token before the client gives up', () => {
  it('a server restarted with a new secret: refused at connect, refetched once, reconnected', async () => {
    let issued = 0;
    const client = connect({ token: async () => `token-${++issued}` });
    await client.ready();
    const publish = (async () => {
      // The server comes back with a new secret: the cached token-1 is refused.
      ctx.server.verify = (token) => (token === 'token-1' ? 'invalid signature' : undefined);
      ctx.server.peers[0]!.close(1012, 'restart');
      await nextState(client, 'reconnecting');
      return client.channel('room').publish('x', 'sent during the restart');
    })();
    await expect(publish).resolves.toEqual({});
    expect(issued).toBe(2);
    expect(client.state).toBe('open');
    expect(ctx.server.commands('publish')).toHaveLength(1);
  });

  it('close 4001 after open counts the same, and a second refusal in a row stops the client with unauthorized', async () => {
    let issued = 0;
    const client = connect({ token: async () => `token-${++issued}` });
    const errors: RtmError[] = [];
    client.on('error', (error) => errors.push(error));
    await client.ready();
    ctx.server.verify = () => 'invalid signature';
    ctx.server.peers[0]!.close(4001, 'token revoked');
    await nextState(client, 'reconnecting');
    await expect(client.ready({ timeout: 5_000 })).rejects.toMatchObject({ code: 'unauthorized' });
    expect(issued).toBe(2);
    expect(client.state).toBe('closed');
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    expect(errors[0]!.info).toContain('invalid signature');
  });

  it('a fixed string token is not retried', async () => {
    const client = connect({ token: 'fixed' });
    await client.ready();
    ctx.server.peers[0]!.close(4001, 'token revoked');
    await nextState(client, 'closed');
    await sleep(100);
    expect(ctx.server.peers).toHaveLength(1);
  });
});
