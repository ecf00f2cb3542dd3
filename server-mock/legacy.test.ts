// The legacy APEX RTM endpoint: the seed's unmodified Listener plug-in connects to the base URL and gets raw frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_ON, channelArgs, openPeer, post, rtcPeer, startServer } from './peer.test-util.js';

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
