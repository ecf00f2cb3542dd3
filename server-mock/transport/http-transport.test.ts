import { afterEach, describe, expect, it } from 'vitest';
import { httpPeer, type HttpPeer } from './http-peer.test-util.js';
import { ManualClock, SUBSCRIBED, channelArgs, metric, openPeer, post, rtcPeer, startServer, type Peer } from '../test/peer.test-util.js';
import type { RtmServer } from '../index.js';

let server: (RtmServer & { ws: string }) | undefined;
const peers: Array<HttpPeer | Peer> = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close().catch(() => {})));
  await server?.close();
  server = undefined;
});

async function open(sub = 'alice', transport: 'http-stream' | 'long-poll' = 'http-stream', claims?: Record<string, unknown>): Promise<HttpPeer> {
  const token = await server!.auth.sign(sub, 3600, claims as Record<string, unknown> | undefined);
  const peer = await httpPeer(server!.url, token, transport);
  peers.push(peer);
  return peer;
}

describe.each(['http-stream', 'long-poll'] as const)('the %s transport', (transport) => {
  it('carries commands as POSTs and events back, exactly like a WebSocket', async () => {
    server = await startServer();
    const peer = await open('alice', transport);
    expect(await peer.command('subscribe', channelArgs('room'))).toEqual({ request: expect.anything(), response: SUBSCRIBED });
    const ws = await rtcPeer(server, 'bob');
    peers.push(ws);
    await ws.command('publish', { channel: 'room', data: { eventName: 'hi', payload: 1 } });
    const event = await peer.waitFor((m) => m.type === 'event');
    expect(event.data).toMatchObject({ resource: { type: 'channel', name: 'room' }, modifier: { id: 'bob' }, data: { eventName: 'hi', payload: 1 }, offset: 1 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'rtm_connections', `{endpoint="rtc",transport="${transport}"}`)).toBe(1);
    expect(metric(metrics, 'rtm_messages_in_total', `{transport="${transport}"}`)).toBe(1);
  });

  it('refuses a bad token as a WebSocket does: error 3, then close 4001', async () => {
    server = await startServer();
    const peer = await httpPeer(server.url, 'not-a-jwt', transport);
    peers.push(peer);
    const error = await peer.waitFor((m) => m.type === 'command response');
    expect(error.data.error.code).toBe(3);
    expect((await peer.closed).code).toBe(4001);
  });

  it('answers a frame over maxPayload with error 7 and keeps the session, as a WebSocket does; a frame over maxFrame is refused whole', async () => {
    server = await startServer({ maxPayload: 1_024, maxFrame: 8_192 });
    const peer = await open('alice', transport);
    const big = { type: 'command', data: { command: 'publish', correlation_id: 'big', arguments: { channel: 'room', data: { payload: 'x'.repeat(2_000) } } } };
    expect(await peer.send(big)).toBe(204);
    const answer = await peer.waitFor((m) => m.type === 'command response' && m.data.request?.data?.correlation_id === 'big');
    expect(answer.data.error.code).toBe(7);
    expect((await peer.command('subscribe', channelArgs('room'))).response).toEqual(SUBSCRIBED);
    expect(await peer.send({ ...big, data: { ...big.data, arguments: { channel: 'room', data: { payload: 'x'.repeat(9_000) } } } })).toBe(413);
  });

  it('authenticates with jwt replace when the open carried no token', async () => {
    server = await startServer();
    const peer = await httpPeer(server.url, undefined, transport);
    peers.push(peer);
    expect((await peer.command('jwt replace', { token: await server.auth.sign('carol', 3600) })).response).toEqual({});
    expect((await peer.command('subscribe', channelArgs('room'))).response).toEqual(SUBSCRIBED);
  });
});

describe('HTTP sessions', () => {
  it('keep events for a reader that comes back within the window, and close sessions left without one', async () => {
    const clock = new ManualClock(Date.now());
    server = await startServer({ clock, heartbeat: 0, timing: { httpWindow: 30 } });
    const peer = await open('alice');
    await peer.command('subscribe', channelArgs('room'));
    peer.stopReading();
    await new Promise((r) => setTimeout(r, 50));
    await post(server, '/api/broadcast', { channel: 'room', eventName: 'while-away', payload: 1 });
    clock.advance(29_000);
    peer.read();
    expect((await peer.waitFor((m) => m.type === 'event')).data.data.eventName).toBe('while-away');

    peer.stopReading();
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(30_001);
    expect(await peer.send({ type: 'command', data: { command: 'ping', correlation_id: 1 } })).toBe(404);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'rtm_connections', '{endpoint="rtc",transport="http-stream"}')).toBe(0);
    expect(metric(metrics, 'rtm_subscriptions')).toBe(0);
  });

  it('closes a session whose waiting events outgrow the send buffer with 4003, so the client recovers the rest from history', async () => {
    server = await startServer({ limits: { maxBuffered: 4_096 } });
    const peer = await open('alice');
    await peer.command('subscribe', channelArgs('room'));
    peer.stopReading();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 20; i++) await post(server, '/api/broadcast', { channel: 'room', eventName: 'n', payload: 'x'.repeat(300) });
    peer.read();
    expect((await peer.closed).code).toBe(4003);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'rtm_slow_consumers_total')).toBe(1);
  });

  it('answers 404 for an unknown session key, and never takes a token from the URL', async () => {
    server = await startServer();
    const send = await fetch(`${server.url}/rtc/http/00000000.nope/send`, { method: 'POST', body: '{}' });
    expect(send.status).toBe(404);
    expect(await send.json()).toEqual({ error: { code: 3, info: expect.any(String) } });
    const token = await server.auth.sign('alice', 3600);
    const peer = await httpPeer(`${server.url}`, undefined);
    peers.push(peer);
    const viaUrl = await fetch(`${server.url}/rtc/http?access_token=${token}`, { method: 'POST' });
    const { key } = (await viaUrl.json()) as { key: string };
    expect(await (await fetch(`${server.url}/rtc/http/${key}/send`, { method: 'POST', body: JSON.stringify({ type: 'command', data: { command: 'subscribe', correlation_id: 1, arguments: channelArgs('x') } }) })).status).toBe(204);
    const body = await (await fetch(`${server.url}/rtc/http/${key}/poll`)).text();
    expect(body).toContain('"code":3');
    await fetch(`${server.url}/rtc/http/${key}/close`, { method: 'POST' });
  });

  it('answers CORS preflights per --origins and refuses other Origins', async () => {
    server = await startServer({ origins: ['https://app.example.com'] });
    const preflight = await fetch(`${server.url}/rtc/http`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const refused = await fetch(`${server.url}/rtc/http`, { method: 'POST', headers: { origin: 'https://evil.example.com' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('closes HTTP sessions with 1001 at shutdown', async () => {
    server = await startServer();
    const peer = await open('alice');
    await peer.command('ping');
    await server.close();
    expect((await peer.closed).code).toBe(1001);
  });
});

describe('messages to one session', () => {
  it('a connection learns its id only when it asks (session=1), and a REST message reaches that connection alone', async () => {
    server = await startServer();
    const target = await openPeer(`${server.ws}/rtc?session=1&access_token=${await server.auth.sign('alice', 3600)}`);
    const other = await rtcPeer(server, 'alice');
    peers.push(target, other);
    const announced = await target.waitFor((m) => m.type === 'notification');
    expect(announced.data).toEqual({ code: 100, info: expect.any(String), data: { id: expect.stringMatching(/^[0-9a-f]{8}\.[A-Za-z0-9_-]{24}$/) } });
    const response = announced.data.data;
    const sent = await post(server, `/api/sessions/${response.id}/messages`, { eventName: 'nudge', payload: { n: 1 } });
    expect(sent.status).toBe(200);
    const event = await target.waitFor((m) => m.type === 'event');
    expect(event.data).toMatchObject({ resource: { type: 'channel', name: `session:${response.id}` }, modifier: { id: 'api:default' }, data: { eventName: 'nudge', payload: { n: 1 } } });
    await other.command('ping');
    expect(other.received.filter((m) => m.type !== 'command response')).toEqual([]);
    const unknown = await post(server, `/api/sessions/${response.id}x/messages`, { eventName: 'nudge', payload: 1 });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 1001, info: expect.any(String) } });
  });

  it('publishing to session:<id> needs a claim that allows it; nobody can subscribe to a session channel', async () => {
    server = await startServer();
    const target = await httpPeer(server.url, await server.auth.sign('alice', 3600), 'http-stream', {}, true);
    peers.push(target);
    const response = (await target.waitFor((m) => m.type === 'notification')).data.data;
    const channel = `session:${response.id}`;
    const plain = await rtcPeer(server, 'mallory');
    peers.push(plain);
    expect((await plain.command('publish', { channel, data: { eventName: 'x', payload: 1 } })).error.code).toBe(2);
    expect((await plain.command('subscribe', channelArgs(channel))).error.code).toBe(2);
    const token = await server.auth.sign('bob', 3600, { rtm: { publish: ['session:*'], subscribe: ['*'] } });
    const bob = await openPeer(`${server.ws}/rtc?access_token=${token}`);
    peers.push(bob);
    expect((await bob.command('publish', { channel, data: { eventName: 'dm', payload: 'hi' } })).response).toEqual({});
    const event = await target.waitFor((m) => m.type === 'event');
    expect(event.data).toMatchObject({ modifier: { id: 'bob' }, data: { eventName: 'dm', payload: 'hi' } });
    expect((await bob.command('publish', { channel: `${channel}x`, data: 1 })).error.code).toBe(1001);
  });
});

describe('long polls', () => {
  it('a poll whose answer was lost gets the same batch again; an acknowledged one is not repeated', async () => {
    server = await startServer();
    const opened = await fetch(`${server.url}/rtc/http?transport=long-poll`, { method: 'POST', headers: { authorization: `Bearer ${await server.auth.sign('alice', 3600)}` } });
    const { key } = (await opened.json()) as { key: string };
    const ping = (id: number) => JSON.stringify({ type: 'command', data: { command: 'ping', correlation_id: id } });
    await fetch(`${server.url}/rtc/http/${key}/send`, { method: 'POST', body: ping(1) });
    const first = await (await fetch(`${server.url}/rtc/http/${key}/poll?ack=0`)).text();
    expect(first).toMatch(/^id: 1\n\ndata: .*"correlation_id":1/);
    // The same poll again, as a browser repeats a GET whose connection broke: the same batch.
    expect(await (await fetch(`${server.url}/rtc/http/${key}/poll?ack=0`)).text()).toBe(first);
    await fetch(`${server.url}/rtc/http/${key}/send`, { method: 'POST', body: ping(2) });
    const second = await (await fetch(`${server.url}/rtc/http/${key}/poll?ack=1`)).text();
    expect(second).toMatch(/^id: 2\n\ndata: .*"correlation_id":2/);
    expect(second).not.toContain('"correlation_id":1');
    await fetch(`${server.url}/rtc/http/${key}/close`, { method: 'POST' });
  });
});
