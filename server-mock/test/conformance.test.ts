// Walks every example of the RTC protocol, in order, against a real server.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, ManualClock, openPeer, post, rtcPeer, startServer, SUBSCRIBED } from './peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;

beforeAll(async () => {
  server = await startServer({ channels: ['test', 'example', 'user:*'] });
});
afterAll(() => server.close());

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('Connecting to the WebSocket API', () => {
  it('accepts wss://…/rtc?access_token=<jwt> and answers commands on it', async () => {
    const peer = await openPeer(`${server.ws}/rtc?access_token=${await server.auth.sign('alice', 3600)}`);
    expect((await peer.command('ping')).response).toEqual({ pong: true, time: expect.any(Number) });
    await peer.close();
  });
});

describe('Command messages and command responses', () => {
  it('returns correlation_id AS IS, whatever valid JSON value it is, inside a copy of the request', async () => {
    const peer = await rtcPeer(server);
    for (const id of ['<correlation ID: any valid JSON value>', 42, 'foo-123', ['it', 'can', 'be', 'any', 'valid', 'JSON', 'value'], { a: [1, { b: null }] }, true, null, 0]) {
      const request = { command: 'subscribe', correlation_id: id, arguments: { action: ['published'], resource: { type: 'channel', name: 'test' } } };
      peer.send({ type: 'command', data: request });
      const response = await peer.waitFor((m) => m.type === 'command response' && JSON.stringify(m.data.request.data.correlation_id) === JSON.stringify(id));
      expect(response).toEqual({ type: 'command response', data: { request: { type: 'command', data: request }, response: {} } });
    }
    await peer.close();
  });

  it('omits nothing when correlation_id is absent: the request is still copied, without one', async () => {
    const peer = await rtcPeer(server);
    peer.send({ type: 'command', data: { command: 'ping' } });
    expect((await peer.next()).data.request).toEqual({ type: 'command', data: { command: 'ping' } });
    await peer.close();
  });

  it('puts failures in error {code, info} with a numeric code and English text', async () => {
    const peer = await rtcPeer(server);
    const data = await peer.command('no such command', {});
    expect(data).toEqual({ request: { type: 'command', data: { command: 'no such command', correlation_id: expect.any(String), arguments: {} } }, error: { code: 6, info: expect.stringMatching(/unknown command/) } });
    await peer.close();
  });
});

describe('Error codes', () => {
  it('uses every code of the table with its documented meaning', async () => {
    const peer = await rtcPeer(server, 'alice');
    const codeOf = async (frame: unknown) => {
      const before = peer.received.length;
      peer.send(frame);
      await expect.poll(() => peer.received.length).toBeGreaterThan(before);
      return peer.received[before].data.error?.code;
    };
    const cmd = (command: string, args: unknown) => ({ type: 'command', data: { command, arguments: args } });
    expect(await codeOf(cmd('subscribe', { action: ['published'], resource: { type: 'channel', name: 'user:bob' } }))).toBe(2);
    expect(await codeOf(cmd('jwt replace', { token: 'not.a.jwt' }))).toBe(3);
    expect(await codeOf('{"type": "command", "data": ')).toBe(4);
    expect(await codeOf({ type: 'subscribe', data: {} })).toBe(5);
    expect(await codeOf(cmd('teleport', {}))).toBe(6);
    expect(await codeOf(cmd('subscribe', { action: ['created'], resource: { type: 'nope', name: 'x' } }))).toBe(1000);
    expect(await codeOf(cmd('subscribe', { action: ['created'], resource: { type: 'ds', name: 'no such\u0000name' } }))).toBe(1001);
    expect(await codeOf(cmd('subscribe', { action: ['published'], resource: { type: 'channel', name: 'not-on-the-allow-list' } }))).toBe(1001);
    expect(await codeOf(cmd('subscribe', { action: ['exploded'], resource: { type: 'ds', name: 'orders' } }))).toBe(1002);
    await peer.close();
  });

  it('answers 1 (internal error) when the fault is the server’s: its JWKS cannot be fetched', async () => {
    const broken = createHttpServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const jwksServer = await startServer({ jwks: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/jwks.json` });
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('alice').setExpirationTime('1h').sign(privateKey);
    const peer = await openPeer(`${jwksServer.ws}/rtc?access_token=${token}`);
    expect((await peer.next()).data).toEqual({ request: null, error: { code: 1, info: 'internal error' } });
    expect((await peer.closed).code).toBe(1011);
    await jwksServer.close();
    broken.close();
  });
});

describe('Refreshing JWT', () => {
  it('replaces the token with the jwt replace example, then reminds with notification code 1 before the new exp', async () => {
    const clock = new ManualClock();
    const timed = await startServer({ clock, heartbeat: 0, timing: { reminder: 60 } });
    const peer = await openPeer(`${timed.ws}/rtc?access_token=${await timed.auth.sign('alice', 600)}`);
    peer.send({ type: 'command', data: { command: 'jwt replace', arguments: { token: await timed.auth.sign('alice', 1200) } } });
    expect((await peer.next()).data).toEqual({ request: { type: 'command', data: { command: 'jwt replace', arguments: { token: expect.any(String) } } }, response: {} });
    clock.advance(1139_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.received).toHaveLength(1);
    clock.advance(1_000);
    expect(await peer.next()).toEqual({ type: 'notification', data: { code: 1, info: expect.any(String), data: { exp: expect.any(Number) } } });
    await peer.close();
    await timed.close();
  });

  it('answers an invalid replacement with the typical error 3', async () => {
    const peer = await rtcPeer(server);
    expect((await peer.command('jwt replace', { token: 'eyJhbGciOiJS... ...aev96IlwB1OFzDmyw' })).error.code).toBe(3);
    await peer.close();
  });
});

describe('Events', () => {
  it('subscribes to resource events (correlation_id 42), receives them, and unsubscribes (43)', async () => {
    const peer = await rtcPeer(server);
    peer.send({ type: 'command', data: { command: 'subscribe', correlation_id: 42, arguments: { action: ['created', 'deleted'], resource: { type: 'ds', name: 'orders' } } } });
    expect((await peer.next()).data).toEqual({ request: { type: 'command', data: { command: 'subscribe', correlation_id: 42, arguments: { action: ['created', 'deleted'], resource: { type: 'ds', name: 'orders' } } } }, response: {} });

    const emit = (action: string) => post(server, '/api/events', { resource: { type: 'ds', name: 'orders' }, action, data: [{ id: '4f8c6ee3-f2d1-47b8-83c4-c5250b86cab4' }] });
    expect((await emit('updated')).status).toBe(200); // not subscribed to updated
    expect((await emit('created')).status).toBe(200);
    expect(await peer.next()).toEqual({
      type: 'event',
      data: {
        action: 'created',
        resource: { type: 'ds', name: 'orders' },
        modifier: { id: 'api:default' },
        timestamp: expect.stringMatching(ISO_8601),
        data: [{ id: '4f8c6ee3-f2d1-47b8-83c4-c5250b86cab4' }],
      },
    });

    peer.send({ type: 'command', data: { command: 'unsubscribe', correlation_id: 43, arguments: { action: ['created', 'deleted'], resource: { type: 'ds', name: 'orders' } } } });
    expect((await peer.next()).data).toMatchObject({ request: { type: 'command', data: { correlation_id: 43 } }, response: {} });
    expect((await (await emit('created')).json()).recipients).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.received.filter((m) => m.type === 'event')).toHaveLength(1);
    await peer.close();
  });

  it('treats "all" as every applicable action, and reports 1000/1001/1002 on subscribe and unsubscribe', async () => {
    const peer = await rtcPeer(server);
    expect((await peer.command('subscribe', { action: ['all'], resource: { type: 'fs', name: 'avatars' } })).response).toEqual({});
    for (const action of ['created', 'updated', 'deleted']) await post(server, '/api/events', { resource: { type: 'fs', name: 'avatars' }, action, data: [{ id: action }] });
    for (const action of ['created', 'updated', 'deleted']) expect((await peer.waitFor((m) => m.type === 'event')).data.action).toBe(action);
    for (const command of ['subscribe', 'unsubscribe']) {
      expect((await peer.command(command, { action: ['all'], resource: { type: 'xx', name: 'a' } })).error.code).toBe(1000);
      expect((await peer.command(command, { action: ['all'], resource: { type: 'ds', name: '' } })).error.code).toBe(1001);
      expect((await peer.command(command, { action: ['renamed'], resource: { type: 'ds', name: 'a' } })).error.code).toBe(1002);
    }
    await peer.close();
  });
});

describe('Partial unsubscribe', () => {
  it('keeps the exact set of actions: unsubscribing updated and deleted from all leaves created, and all again restores them', async () => {
    const peer = await rtcPeer(server);
    const avatars = { type: 'fs', name: 'partial' };
    const emitAll = async (round: string) => {
      for (const action of ['created', 'updated', 'deleted']) await post(server, '/api/events', { resource: avatars, action, data: [{ id: `${round}-${action}` }] });
      // A channel message after them marks the end of the round: everything the server sends is in order.
      await post(server, '/api/broadcast', { channel: 'test', eventName: 'end', payload: round });
      await peer.waitFor((m) => m.type === 'event' && m.data.data.payload === round);
    };
    const seen = (round: string) => peer.received.filter((m) => m.type === 'event' && m.data.resource.type === 'fs' && m.data.data[0].id.startsWith(`${round}-`)).map((m) => m.data.action);
    expect((await peer.command('subscribe', { action: ['all'], resource: avatars })).response).toEqual({});
    await peer.command('subscribe', { action: ['published'], resource: { type: 'channel', name: 'test' } });
    await emitAll('one');
    expect(seen('one')).toEqual(['created', 'updated', 'deleted']);
    expect((await peer.command('unsubscribe', { action: ['updated', 'deleted'], resource: avatars })).response).toEqual({});
    await emitAll('two');
    expect(seen('two')).toEqual(['created']);
    expect((await peer.command('subscribe', { action: ['deleted'], resource: avatars })).response).toEqual({});
    await emitAll('three');
    expect(seen('three')).toEqual(['created', 'deleted']);
    expect((await peer.command('unsubscribe', { action: ['all'], resource: avatars })).response).toEqual({});
    await emitAll('four');
    expect(seen('four')).toEqual([]);
    await peer.close();
  });
});

describe('Extensions are opt-in', () => {
  it('gives a plain subscriber exactly RTC’s event keys, and one that asks (positions: true) the offset and epoch as well', async () => {
    const [plain, asking] = [await rtcPeer(server, 'alice'), await rtcPeer(server, 'bob')];
    const args = { action: ['published'], resource: { type: 'channel', name: 'example' } };
    expect((await plain.command('subscribe', args)).response).toEqual({});
    const position = (await asking.command('subscribe', { ...args, positions: true })).response;
    expect(position).toEqual({ epoch: expect.any(String), offset: expect.any(Number) });
    await post(server, '/api/broadcast', { channel: 'example', eventName: 'e', payload: 1 });
    const [seen, positioned] = await Promise.all([plain.waitFor((m) => m.type === 'event'), asking.waitFor((m) => m.type === 'event')]);
    expect(Object.keys(seen.data)).toEqual(['action', 'resource', 'modifier', 'timestamp', 'data']);
    expect(positioned.data).toEqual({ ...seen.data, offset: position.offset + 1, epoch: position.epoch });
    expect((await plain.command('subscribe', { ...args, positions: 'yes' })).error).toEqual({ code: 4, info: 'positions must be true or false' });
    await Promise.all([plain.close(), asking.close()]);
  });
});

describe('Channels', () => {
  it('subscribes with action published ("some unique value"), publishes the example, and forwards it to every subscriber', async () => {
    const [alice, bob] = [await rtcPeer(server, 'alice'), await rtcPeer(server, 'bob')];
    for (const peer of [alice, bob]) {
      peer.send({ type: 'command', data: { command: 'subscribe', correlation_id: 'some unique value', arguments: { action: ['published'], resource: { type: 'channel', name: 'example' } } } });
      expect((await peer.next()).data.response).toEqual({});
    }
    alice.send({ type: 'command', data: { command: 'publish', correlation_id: ['it', 'can', 'be', 'any', 'valid', 'JSON', 'value'], arguments: { channel: 'example', data: { foo: 42 } } } });
    const ack = await alice.waitFor((m) => m.type === 'command response');
    expect(ack.data).toEqual({ request: { type: 'command', data: { command: 'publish', correlation_id: ['it', 'can', 'be', 'any', 'valid', 'JSON', 'value'], arguments: { channel: 'example', data: { foo: 42 } } } }, response: {} });
    for (const peer of [alice, bob]) {
      expect(await peer.waitFor((m) => m.type === 'event')).toEqual({
        type: 'event',
        data: { action: 'published', resource: { type: 'channel', name: 'example' }, modifier: { id: 'alice' }, timestamp: expect.stringMatching(ISO_8601), data: { foo: 42 } },
      });
    }
    await Promise.all([alice.close(), bob.close()]);
  });

  it('accepts the document’s "publish" spelling when subscribing, and still emits "published"', async () => {
    const peer = await rtcPeer(server);
    expect((await peer.command('subscribe', { action: ['publish'], resource: { type: 'channel', name: 'test' } })).response).toEqual({});
    await post(server, '/api/broadcast', { channel: 'test', eventName: 'e', payload: 1 }, { 'x-api-key': API_KEY });
    expect((await peer.waitFor((m) => m.type === 'event')).data.action).toBe('published');
    await peer.close();
  });
});

describe('Public-key tokens (the document’s eyJhbGciOiJS… example is RS-signed)', () => {
  it('accepts RS256 and ES256 tokens whose keys are in a JWKS file', async () => {
    const rs = await generateKeyPair('RS256');
    const es = await generateKeyPair('ES256');
    const keys = [{ ...(await exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256' }, { ...(await exportJWK(es.publicKey)), kid: 'es', alg: 'ES256' }];
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'rtm-jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys }));
    const jwksServer = await startServer({ jwks: file });
    for (const [alg, key, kid] of [['RS256', rs.privateKey, 'rs'], ['ES256', es.privateKey, 'es']] as const) {
      const token = await new SignJWT({}).setProtectedHeader({ alg, kid }).setSubject(`user-${alg}`).setExpirationTime('1h').sign(key);
      const peer = await openPeer(`${jwksServer.ws}/rtc?access_token=${token}`);
      expect((await peer.command('subscribe', { action: ['published'], resource: { type: 'channel', name: `user:user-${alg}` } })).response).toEqual({});
      await peer.close();
    }
    await jwksServer.close();
  });

  it('fetches the JWKS from a URL once, caches it, and refuses a kid it does not hold with 3', async () => {
    const first = await generateKeyPair('RS256');
    const second = await generateKeyPair('RS256');
    let keys = [{ ...(await exportJWK(first.publicKey)), kid: 'one', alg: 'RS256' }];
    let fetches = 0;
    const idp = createHttpServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const jwksServer = await startServer({ jwks: `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json` });
    const sign = (key: CryptoKey, kid: string) => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setSubject('alice').setExpirationTime('1h').sign(key);
    const works = async (token: string) => {
      const peer = await openPeer(`${jwksServer.ws}/rtc?access_token=${token}`);
      const reply = await peer.command('ping');
      await peer.close();
      return reply.response?.pong === true;
    };
    expect(await works(await sign(first.privateKey, 'one'))).toBe(true);
    expect(await works(await sign(first.privateKey, 'one'))).toBe(true);
    expect(fetches).toBe(1); // cached
    keys = [...keys, { ...(await exportJWK(second.publicKey)), kid: 'two', alg: 'RS256' }];
    // jose refetches an unknown kid only after its 30 s cooldown; within it, the new key is refused as unknown (3).
    const early = await openPeer(`${jwksServer.ws}/rtc?access_token=${await sign(second.privateKey, 'two')}`);
    expect((await early.next()).data.error).toEqual({ code: 3, info: 'token key is unknown' });
    await jwksServer.close();
    idp.close();
  });
});
