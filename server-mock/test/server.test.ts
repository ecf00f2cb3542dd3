import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer, silentLogger, type RtmServer } from '../index.js';
import { SUBSCRIBED } from './peer.test-util.js';

let server: RtmServer;
let wsBase: string;

beforeAll(async () => {
  server = createServer({ port: 0, secret: 'x'.repeat(32), apiKey: 'test-key', logger: silentLogger });
  await server.listen();
  wsBase = `${server.url.replace('http', 'ws')}/rtc`;
});
afterAll(() => server.close());

/** A raw RTC peer: sends frames and waits for the ones it expects. */
async function connect(sub = 'alice', token?: string): Promise<{ ws: WebSocket; next: () => Promise<any>; send: (frame: unknown) => void; closed: Promise<number> }> {
  const jwt = token ?? (await server.auth.sign(sub, 3600));
  const ws = new WebSocket(`${wsBase}?access_token=${jwt}`);
  const inbox: any[] = [];
  const waiting: Array<(m: any) => void> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: () =>
      inbox.length > 0
        ? Promise.resolve(inbox.shift())
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no message within 2 s')), 2_000);
            waiting.push((m) => {
              clearTimeout(timer);
              resolve(m);
            });
          }),
  };
}

const command = (cmd: string, args: unknown, id: unknown = 1) => ({ type: 'command', data: { command: cmd, correlation_id: id, arguments: args } });
const subscribeTo = (channel: string, id: unknown = 1) => command('subscribe', { action: ['published'], resource: { type: 'channel', name: channel } }, id);

describe('bad input never breaks the connection', () => {
  it('answers malformed JSON with code 4, an unknown type with 5, an unknown command with 6, and keeps serving', async () => {
    const peer = await connect();
    peer.send('{not json');
    expect((await peer.next()).data).toEqual({ request: null, error: { code: 4, info: expect.any(String) } });

    peer.send({ type: 'bogus', data: {} });
    const unknownType = (await peer.next()).data;
    expect(unknownType.error.code).toBe(5);
    expect(unknownType.request).toEqual({ type: 'bogus', data: {} });

    peer.send(command('teleport', {}, 'c-6'));
    const unknownCommand = (await peer.next()).data;
    expect(unknownCommand.error.code).toBe(6);
    expect(unknownCommand.request).toEqual(command('teleport', {}, 'c-6'));

    for (const frame of ['42', '[]', 'null', JSON.stringify({ type: 'command', data: 'x' })]) {
      peer.send(frame);
      expect((await peer.next()).data.error.code).toBe(4);
    }

    // Still usable: a subscribe and a publish work after all of that.
    peer.send(subscribeTo('test', 7));
    expect((await peer.next()).data).toEqual({ request: subscribeTo('test', 7), response: {} });
    peer.send(command('publish', { channel: 'test', data: { eventName: 'ping', payload: 1 } }, 8));
    const [first, second] = [await peer.next(), await peer.next()];
    const event = [first, second].find((m) => m.type === 'event');
    expect(event.data).toMatchObject({ action: 'published', resource: { type: 'channel', name: 'test' }, modifier: { id: 'alice' }, data: { eventName: 'ping', payload: 1 } });
    peer.ws.close();
  });

  it('echoes correlation_id as-is, whatever JSON value it is', async () => {
    const peer = await connect();
    for (const id of [42, 'foo-123', ['it', 'can', 'be', 'any'], { nested: { ok: true } }, null]) {
      peer.send(command('ping', undefined, id));
      const { data } = await peer.next();
      expect(data.request).toEqual(command('ping', undefined, id));
      expect(data.response).toEqual({ pong: true, time: expect.any(Number) });
    }
    peer.ws.close();
  });

  it('rejects frames nested deeper than 32 with code 4 and still echoes the request', async () => {
    const peer = await connect();
    // Built as text: JSON.stringify itself overflows the stack at this depth.
    const deep = `${'['.repeat(5_000)}0${']'.repeat(5_000)}`;
    peer.send(`{"type":"command","data":{"command":"publish","correlation_id":"deep-1","arguments":{"channel":"test","data":${deep}}}}`);
    const { data } = await peer.next();
    expect(data.error.code).toBe(4);
    expect(data.request).toMatchObject({ type: 'command', data: { command: 'publish', correlation_id: 'deep-1' } });
    peer.ws.close();
  });

  it('closes a frame over the 1 MiB hard cap with 1009, and other clients keep working', async () => {
    const [big, other] = await Promise.all([connect(), connect('bob')]);
    big.send(command('publish', { channel: 'test', data: 'x'.repeat(1100 * 1024) }));
    expect(await big.closed).toBe(1009);
    other.send(command('ping', undefined, 1));
    expect((await other.next()).data.response.pong).toBe(true);
    other.ws.close();
  });

  it('validates subscribe arguments: resource type 1000, channel name 1001, action 1002, shape 4', async () => {
    const peer = await connect();
    const cases: Array<[unknown, number]> = [
      [{ action: ['published'], resource: { type: 'nope', name: 'x' } }, 1000],
      [{ action: ['published'], resource: { type: 'channel', name: 'bad\nname' } }, 1001],
      [{ action: ['published'], resource: { type: 'channel', name: 'x'.repeat(261) } }, 1001],
      [{ action: ['created'], resource: { type: 'channel', name: 'test' } }, 1002],
      [{ action: 'published', resource: { type: 'channel', name: 'test' } }, 4],
      [{ action: ['published'], resource: { type: 'channel', name: 5 } }, 4],
      [undefined, 4],
    ];
    for (const [args, code] of cases) {
      peer.send(command('subscribe', args));
      expect((await peer.next()).data.error.code, JSON.stringify(args)).toBe(code);
    }
    peer.ws.close();
  });
});

describe('authentication', () => {
  it('answers an invalid token with error 3 and closes with 4001', async () => {
    // Tamper inside the signature: the last base64url character carries padding bits, so changing it may change nothing.
    const token = await server.auth.sign('alice', 3600);
    const at = token.length - 10;
    const forged = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    const peer = await connect('alice', forged);
    expect((await peer.next()).data).toEqual({ request: null, error: { code: 3, info: expect.any(String) } });
    expect(await peer.closed).toBe(4001);
  });

  it('accepts a token-less connection that sends jwt replace first, and refuses other commands before it', async () => {
    const ws = new WebSocket(wsBase);
    const messages: any[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify(subscribeTo('test', 1)));
    ws.send(JSON.stringify(command('jwt replace', { token: await server.auth.sign('carol', 60) }, 2)));
    ws.send(JSON.stringify(subscribeTo('test', 3)));
    await expect.poll(() => messages.length).toBe(3);
    expect(messages.map((m) => m.data.error?.code ?? 'ok')).toEqual([3, 'ok', 'ok']);
    ws.close();
  });

  it('refuses jwt replace with a token for another subject', async () => {
    const peer = await connect('alice');
    peer.send(command('jwt replace', { token: await server.auth.sign('mallory', 60) }));
    expect((await peer.next()).data.error.code).toBe(3);
    peer.ws.close();
  });
});

describe('private user channels', () => {
  it('lets only user <id> subscribe to user:<id>', async () => {
    const [alice, bob] = await Promise.all([connect('alice'), connect('bob')]);
    alice.send(subscribeTo('user:alice'));
    expect((await alice.next()).data.response).toEqual({});
    bob.send(subscribeTo('user:alice'));
    expect((await bob.next()).data.error.code).toBe(2);
    alice.ws.close();
    bob.ws.close();
  });
});

describe('REST broadcast', () => {
  const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': 'test-key' }) =>
    fetch(`${server.url}/api/broadcast`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('delivers {channel, eventName, payload} to subscribers, with either spelling and either key header', async () => {
    const peer = await connect('dave');
    peer.send(subscribeTo('news'));
    await peer.next();
    const first = await post({ channel: 'news', eventName: 'flash', payload: { n: 1 } });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, channel: 'news', eventName: 'flash', recipients: 1 });
    expect((await peer.next()).data).toMatchObject({ modifier: { id: 'api:default' }, data: { eventName: 'flash', payload: { n: 1 } } });
    const second = await post({ channel: 'news', event_name: 'flash2', payload: 2 }, { authorization: 'Bearer test-key' });
    expect(second.status).toBe(200);
    expect((await peer.next()).data.data).toEqual({ eventName: 'flash2', payload: 2 });
    peer.ws.close();
  });

  it('answers a bad key 401 and bad bodies 4xx, as JSON {error:{code,info}}', async () => {
    const cases: Array<[Response, number, number]> = [
      [await post({ channel: 'news', payload: 1 }, { 'x-api-key': 'nope' }), 401, 2],
      [await post({ channel: 'news', payload: 1 }, {}), 401, 2],
      [await post('{oops'), 400, 4],
      [await post([1, 2]), 400, 4],
      [await post({ channel: 'bad\u0000channel', payload: 1 }), 400, 1001],
      [await post({ channel: 'news', eventName: 5 }), 400, 4],
      [await post({ channel: 'news', payload: 'x'.repeat(70 * 1024) }), 413, 4],
    ];
    for (const [response, status, code] of cases) {
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, info: expect.any(String) } });
    }
  });

  it('serves /healthz, and no dev token endpoint when a real secret is configured', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/api/dev/token`)).status).toBe(404);
  });
});
