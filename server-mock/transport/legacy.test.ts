// The legacy APEX RTM endpoint: the original, unmodified APEX RTM Listener plug-in connects to the base URL and gets raw frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../index.js';
import { LEGACY_ON, channelArgs, openPeer, post, rtcPeer, startServer } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;

beforeAll(async () => {
  server = await startServer(LEGACY_ON);
});
afterAll(() => server.close());

describe('legacy endpoint at /', () => {
  it('receives a REST broadcast as a raw {channel, eventName, payload} frame, with either field spelling', async () => {
    const listener = await openPeer(`${server.ws}/`);
    expect((await post(server, '/api/broadcast', { channel: 'test', eventName: 'ping', payload: { P10_MESSAGE: 'hello' } })).status).toBe(200);
    expect(await listener.next()).toEqual({ channel: 'test', eventName: 'ping', payload: { P10_MESSAGE: 'hello' } });
    await post(server, '/api/broadcast', { channel: 'test', event_name: 'ping2', payload: null });
    expect(await listener.next()).toEqual({ channel: 'test', eventName: 'ping2', payload: null });
    await listener.close();
  });

  it('receives what RTC clients publish, and RTC subscribers receive the same message', async () => {
    const listener = await openPeer(`${server.ws}/`);
    const rtc = await rtcPeer(server);
    await rtc.command('subscribe', channelArgs('room'));
    await rtc.command('publish', { channel: 'room', data: { eventName: 'chat', payload: { text: 'hi' } } });
    expect(await listener.next()).toEqual({ channel: 'room', eventName: 'chat', payload: { text: 'hi' } });
    expect((await rtc.waitFor((m) => m.type === 'event')).data.data).toEqual({ eventName: 'chat', payload: { text: 'hi' } });
    await Promise.all([listener.close(), rtc.close()]);
  });

  it('ignores what a legacy client sends, and stays connected', async () => {
    const listener = await openPeer(`${server.ws}/`);
    listener.send('anything at all');
    await post(server, '/api/broadcast', { channel: 'test', eventName: 'after', payload: 1 });
    expect(await listener.next()).toEqual({ channel: 'test', eventName: 'after', payload: 1 });
    await listener.close();
  });

  it('is gone with legacy: false (--no-legacy): the upgrade at / answers 404', async () => {
    const modern = await startServer({ legacy: false });
    await expect(openPeer(`${modern.ws}/`)).rejects.toThrow(/404/);
    expect((await post(modern, '/api/broadcast', { channel: 'test', eventName: 'x', payload: 1 })).status).toBe(200);
    await modern.close();
  });
});

describe('the legacy endpoint in production (a secret is set)', () => {
  it('is off unless asked for: / answers 404', async () => {
    const production = await startServer();
    await expect(openPeer(`${production.ws}/`)).rejects.toThrow(/404/);
    await production.close();
  });

  it('cannot be turned on without an Origin allow-list and a channel allow-list', () => {
    expect(() => createServer({ secret: 's'.repeat(32), legacy: true, legacyChannels: ['news'] })).toThrow(/needs --origins/);
    expect(() => createServer({ secret: 's'.repeat(32), legacy: true, origins: ['https://apex.example.com'] })).toThrow(/needs --legacy-channels/);
  });

  it('when on: other sites get 403, and it carries only its channels, never user: ones, whatever the rtm claims allow', async () => {
    const on = await startServer({ legacy: true, origins: ['https://apex.example.com'], legacyChannels: ['news', 'board:*'] });
    await expect(openPeer(`${on.ws}/`, { origin: 'https://evil.example.com' })).rejects.toThrow(/403/);
    const listener = await openPeer(`${on.ws}/`, { origin: 'https://apex.example.com' });
    for (const channel of ['secret-plans', 'user:alice', 'board:1', 'news', 'newsroom']) await post(on, '/api/broadcast', { channel, eventName: 'e', payload: channel });
    // A message sent last marks the end: everything before it has been forwarded or dropped by then.
    await post(on, '/api/broadcast', { channel: 'news', eventName: 'end', payload: null });
    await listener.waitFor((m) => m.eventName === 'end');
    expect(listener.received.map((m) => m.payload)).toEqual(['board:1', 'news', null]);
    await listener.close();
    await on.close();
    // Even a list that names them lets no user: channel through.
    const all = await startServer({ legacy: true, origins: ['https://apex.example.com'], legacyChannels: ['*', 'user:*'] });
    const reader = await openPeer(`${all.ws}/`, { origin: 'https://apex.example.com' });
    for (const channel of ['user:alice', 'open']) await post(all, '/api/broadcast', { channel, eventName: 'e', payload: channel });
    await post(all, '/api/broadcast', { channel: 'open', eventName: 'end', payload: null });
    await reader.waitFor((m) => m.eventName === 'end');
    expect(reader.received.map((m) => m.payload)).toEqual(['open', null]);
    await reader.close();
    await all.close();
  });

  it('counts towards the per-IP cap on open connections', async () => {
    const on = await startServer({ ...LEGACY_ON, trustProxy: ['loopback'], limits: { maxConnectionsPerIp: 2 } });
    const from = { headers: { 'x-forwarded-for': '203.0.113.20' } };
    const held = [await openPeer(`${on.ws}/`, from), await openPeer(`${on.ws}/`, from)];
    await expect(openPeer(`${on.ws}/`, from)).rejects.toThrow(/429/);
    await held[0]!.close();
    await expect.poll(async () => (await openPeer(`${on.ws}/`, from).then((p) => held.push(p), () => 'refused')) !== 'refused').toBe(true);
    await Promise.all(held.map((p) => p.close()));
    await on.close();
  });
});
