// Each bad input gets its documented error or close code, and the server keeps serving the sender (where it stays
// open) and everyone else.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelArgs, command, metric, openPeer, rtcPeer, startServer, type Peer, SUBSCRIBED } from './peer.test-util.js';
import { exceedsDepth } from '../session/json-depth.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
let bystander: Peer;

beforeAll(async () => {
  server = await startServer();
  bystander = await rtcPeer(server, 'bystander');
});
afterAll(async () => {
  await bystander.close();
  await server.close();
});

/** The bystander still gets answers: the server did not crash or stall. */
async function serverStillServes(): Promise<void> {
  expect((await bystander.command('ping')).response.pong).toBe(true);
}

const deep = (n: number) => `${'['.repeat(n)}0${']'.repeat(n)}`;

const errorCases: Array<[string, string | object, number]> = [
  ['malformed JSON', '{not json', 4],
  ['truncated JSON', '{"type":"command","data":{"command":"ping"', 4],
  ['empty frame', '', 4],
  ['a number', '42', 4],
  ['an array', '[]', 4],
  ['null', 'null', 4],
  ['a string', '"command"', 4],
  ['type is a number', { type: 5, data: {} }, 4],
  ['type missing', { data: { command: 'ping' } }, 4],
  ['data is a string', { type: 'command', data: 'x' }, 4],
  ['data missing', { type: 'command' }, 4],
  ['command is a number', { type: 'command', data: { command: 7 } }, 4],
  ['subscribe without arguments', command('subscribe'), 4],
  ['subscribe with action not a list', command('subscribe', { action: 'published', resource: { type: 'channel', name: 'a' } }), 4],
  ['subscribe with an empty action list', command('subscribe', { action: [], resource: { type: 'channel', name: 'a' } }), 4],
  ['subscribe with a numeric name', command('subscribe', { action: ['published'], resource: { type: 'channel', name: 5 } }), 4],
  ['subscribe with resource an array', command('subscribe', { action: ['published'], resource: ['channel', 'a'] }), 4],
  ['publish without data', command('publish', { channel: 'a' }), 4],
  ['publish with arguments a list', command('publish', ['a', 1]), 4],
  ['jwt replace without a token', command('jwt replace', {}), 4],
  ['jwt replace with a numeric token', command('jwt replace', { token: 42 }), 4],
  ['unknown type', { type: 'subscribe', data: {} }, 5],
  ['unknown type "event"', { type: 'event', data: {} }, 5],
  ['unknown command', command('teleport', {}), 6],
  ['unknown command that looks close', command('Subscribe', channelArgs('a')), 6],
  ['unknown resource type', command('subscribe', { action: ['created'], resource: { type: 'sql', name: 'a' } }), 1000],
  ['channel name with a line break', command('subscribe', channelArgs('bad\nname')), 1001],
  ['channel name with a NUL', command('publish', { channel: 'a\u0000b', data: 1 }), 1001],
  ['channel name with a C1 control', command('subscribe', channelArgs('a\u0085b')), 1001],
  ['channel name with a lone surrogate', command('subscribe', channelArgs('a\ud800b')), 1001],
  ['channel name of 261 characters', command('subscribe', channelArgs('x'.repeat(261))), 1001],
  ['empty channel name', command('publish', { channel: '', data: 1 }), 1001],
  ['publish to a non-string channel', command('publish', { channel: { name: 'a' }, data: 1 }), 1001],
  ['channel action on a channel', command('subscribe', { action: ['created'], resource: { type: 'channel', name: 'a' } }), 1002],
  ['non-string action', command('subscribe', { action: [1], resource: { type: 'ds', name: 'a' } }), 1002],
  ['deep nesting in data', `{"type":"command","data":{"command":"publish","correlation_id":"deep","arguments":{"channel":"a","data":${deep(40)}}}}`, 4],
  ['very deep nesting', `{"type":"command","data":{"command":"publish","correlation_id":"deep","arguments":{"channel":"a","data":${deep(20_000)}}}}`, 4],
  ['deep nesting in correlation_id', `{"type":"command","data":{"command":"ping","correlation_id":${deep(40)}}}`, 4],
];

describe('bad-input matrix', () => {
  it.each(errorCases)('%s → error %i, connection still usable', async (_name, frame, code) => {
    const peer = await rtcPeer(server);
    peer.send(frame);
    const reply = await peer.next();
    expect(reply.type).toBe('command response');
    expect(reply.data.error).toEqual({ code, info: expect.any(String) });
    expect(reply.data.response).toBeUndefined();
    expect((await peer.command('subscribe', channelArgs('still-fine'))).response).toEqual(SUBSCRIBED);
    await serverStillServes();
    await peer.close();
  });

  it('echoes the whole frame refused for nesting, too deep to re-serialise, so the client can settle it', async () => {
    const peer = await rtcPeer(server);
    peer.send(`{"type":"command","data":{"command":"publish","correlation_id":"deep-1","arguments":{"channel":"a","data":${deep(5_000)}}}}`);
    const { request, error } = (await peer.next()).data;
    expect(error).toEqual({ code: 4, info: expect.any(String) });
    expect(request).toMatchObject({ type: 'command', data: { command: 'publish', correlation_id: 'deep-1', arguments: { channel: 'a' } } });
    // Nothing is cut: the message, its data, the arguments, then the 5,000 levels of the payload.
    expect(exceedsDepth(request, 5_002)).toBe(true);
    expect(exceedsDepth(request, 5_003)).toBe(false);
    await peer.close();
  });

  it('binary frame → error 4', async () => {
    const peer = await rtcPeer(server);
    peer.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    expect((await peer.next()).data.error.code).toBe(4);
    await serverStillServes();
    await peer.close();
  });

  it('a command over 64 KiB → error 7 echoing its correlation_id, nothing published, and the connection stays', async () => {
    const peer = await rtcPeer(server);
    const listener = await rtcPeer(server, 'bob');
    await listener.command('subscribe', { action: ['published'], resource: { type: 'channel', name: 'big' } });
    peer.send({ type: 'command', data: { command: 'publish', correlation_id: 'big-1', arguments: { channel: 'big', data: 'x'.repeat(70 * 1024) } } });
    const { data } = await peer.next();
    expect(data.request).toMatchObject({ type: 'command', data: { command: 'publish', correlation_id: 'big-1' } });
    expect(data.error).toEqual({ code: 7, info: expect.stringMatching(/^the frame is 7\d{4} bytes, over the server's limit of 65536; nothing was done$/) });
    // The link is fine, and answers the next command in order.
    expect((await peer.command('publish', { channel: 'big', data: 'small' })).response).toEqual({});
    expect((await listener.next()).data.data).toBe('small');
    await Promise.all([peer.close(), listener.close()]);
  });

  it('a frame over the 1 MiB hard cap → close 1009, and others keep working', async () => {
    const peer = await rtcPeer(server);
    peer.send(command('publish', { channel: 'a', data: 'x'.repeat(1024 * 1024) }));
    expect((await peer.closed).code).toBe(1009);
    await serverStillServes();
  });

  it('invalid UTF-8 in a text frame → close 1007, and others keep working', async () => {
    const peer = await rtcPeer(server);
    // ws checks the UTF-8 of the text frames it receives, not of those it sends: bytes sent as text arrive as they are.
    peer.ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect((await peer.closed).code).toBe(1007);
    await serverStillServes();
  });

  it('subscription 129 → error 7 (limit), earlier ones intact, unsubscribing frees a slot', async () => {
    const peer = await rtcPeer(server);
    for (let i = 0; i < 128; i += 1) expect((await peer.command('subscribe', channelArgs(`room-${i}`))).error).toBeUndefined();
    expect((await peer.command('subscribe', channelArgs('room-128'))).error).toEqual({ code: 7, info: expect.stringMatching(/128/) });
    expect((await peer.command('subscribe', channelArgs('room-5'))).response).toEqual(SUBSCRIBED); // re-subscribing is not a new one
    expect((await peer.command('unsubscribe', channelArgs('room-0'))).response).toEqual({});
    expect((await peer.command('subscribe', channelArgs('room-128'))).response).toEqual(SUBSCRIBED);
    await serverStillServes();
    await peer.close();
  });

  it('a flood → error 7 for the excess, then close 4004 when it goes on; others unaffected', async () => {
    const flooded = await startServer({ limits: { rateBurst: 20, ratePerSecond: 10, abuseLimit: 30 } });
    const other = await rtcPeer(flooded, 'other');
    const peer = await rtcPeer(flooded);
    for (let i = 0; i < 200; i += 1) peer.send(command('ping', undefined, i));
    const { code } = await peer.closed;
    expect(code).toBe(4004);
    const replies = peer.received.map((m) => m.data.error?.code ?? 'ok');
    expect(replies.slice(0, 20)).toEqual(Array(20).fill('ok'));
    expect(replies.slice(20)).toEqual(Array(30).fill(7));
    expect(peer.received[25].data.request).toEqual(command('ping', undefined, 25));
    expect((await other.command('ping')).response.pong).toBe(true);
    const metrics = await (await fetch(`${flooded.url}/metrics`)).text();
    expect(metric(metrics, 'rtm_errors_total', '{code="7"}')).toBe(30);
    await other.close();
    await flooded.close();
  });

  it('frames piling up behind a slow token check are bounded: close 4004 past maxBuffered bytes', async () => {
    // A JWKS that answers only after a while keeps the URL token's verification pending.
    const { createServer: createHttpServer } = await import('node:http');
    const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg: 'RS256' };
    const idp = createHttpServer((_req, res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })), 300));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const slow = await startServer({ jwks: `http://127.0.0.1:${(idp.address() as import('node:net').AddressInfo).port}/jwks`, limits: { maxBuffered: 64 * 1024 } });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setSubject('alice').setExpirationTime('1h').sign(privateKey);
    // Both connect before the JWKS has arrived, so both verifications wait for it.
    const [patient, pushy] = await Promise.all([openPeer(`${slow.ws}/rtc?access_token=${token}`), openPeer(`${slow.ws}/rtc?access_token=${token}`)]);
    for (let i = 0; i < 50; i += 1) patient.send(command('subscribe', channelArgs(`c${i}`), i)); // an ordinary start-up burst
    for (let i = 0; i < 10; i += 1) pushy.send(command('publish', { channel: 'a', data: 'x'.repeat(10_000) }, i)); // 100 kB waiting
    await expect.poll(() => patient.received.length, { timeout: 3_000 }).toBe(50);
    expect(patient.received.every((m) => m.data.response)).toBe(true);
    expect((await pushy.closed).code).toBe(4004);
    await patient.close();
    await slow.close();
    idp.close();
  });

  it('the server survives all of the above: healthz answers and no connection is left behind', async () => {
    await serverStillServes();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await expect.poll(async () => metric(await (await fetch(`${server.url}/metrics`)).text(), 'rtm_connections', '{endpoint="rtc",transport="websocket"}')).toBe(1);
  });
});

describe('bad input before authentication', () => {
  it('answers every command but jwt replace with 3 and keeps waiting for the token', async () => {
    const peer = await openPeer(`${server.ws}/rtc`);
    for (const frame of [command('subscribe', channelArgs('a')), command('publish', { channel: 'a', data: 1 }), command('ping'), command('teleport')]) {
      peer.send(frame);
      expect((await peer.next()).data.error.code).toBe(3);
    }
    peer.send('{oops');
    expect((await peer.next()).data.error.code).toBe(4);
    expect((await peer.command('jwt replace', { token: await server.auth.sign('late', 60) })).response).toEqual({});
    expect((await peer.command('ping')).response.pong).toBe(true);
    await peer.close();
  });
});

describe('hostile HTTP', () => {
  /** Sends raw bytes and resolves with whatever comes back before the server closes the socket. */
  const raw = (text: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.end(text));
      let reply = '';
      socket.on('data', (chunk) => (reply += chunk.toString()));
      socket.on('close', () => resolve(reply));
      socket.on('error', () => resolve(reply));
    });
  const upgrade = (target: string) =>
    `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

  it.each(['//[', 'http://[', '/rtc?access_token=%zz', '*', '/%', `/${'a'.repeat(8_000)}`])('survives the request target %j, as upgrade and as plain GET', async (target) => {
    await raw(upgrade(target));
    await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await serverStillServes();
  });

  it('survives garbage instead of HTTP', async () => {
    expect(await raw('\u0000\u0001 not http at all\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    await serverStillServes();
  });
});
