// Private channels for the subjects real identity providers issue (auth0|…, google-oauth2|…, a+b@…, APEX user
// names with spaces, backslashes or non-ASCII letters): user:<sub> as is, % and control characters percent-encoded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userChannel } from '../../protocol/index.js';
import { channelArgs, post, rtcPeer, startServer, SUBSCRIBED } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const SUBJECTS = ['auth0|abc', 'google-oauth2|104857300000000000001', 'a+b@example.com', 'JOHN DOE', 'MÜLLER', 'CORP\\jdoe', 'https://idp.example.com/users/42', '山田'];

describe('user:<sub> for real identity-provider subjects', () => {
  it.each(SUBJECTS)('%s subscribes to its own user:<sub> as is and gets the REST notify; nobody else can', async (sub) => {
    expect(userChannel(sub)).toBe(`user:${sub}`);
    const owner = await rtcPeer(server, sub);
    const other = await rtcPeer(server, 'mallory');
    expect((await owner.command('subscribe', channelArgs(`user:${sub}`))).response).toEqual(SUBSCRIBED);
    expect((await other.command('subscribe', channelArgs(`user:${sub}`))).error.code).toBe(2);
    expect((await other.command('publish', { channel: `user:${sub}`, data: 1 })).error.code).toBe(2);
    const response = await post(server, `/api/users/${encodeURIComponent(sub)}/messages`, { eventName: 'hello', payload: sub });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ channel: `user:${sub}`, recipients: 1 });
    const event = await owner.waitFor((m) => m.type === 'event');
    expect(event.data).toMatchObject({ resource: { type: 'channel', name: `user:${sub}` }, data: { eventName: 'hello', payload: sub } });
    // The owner may publish on it too, as with any other private channel.
    expect((await owner.command('publish', { channel: `user:${sub}`, data: 2 })).response).toEqual({});
    await Promise.all([owner.close(), other.close()]);
  });

  it('percent-encodes % (so the form stays unambiguous) and control characters; the raw form owns nothing', async () => {
    expect(userChannel('50%off')).toBe('user:50%25off');
    expect(userChannel('tab\there')).toBe('user:tab%09here');
    const percent = await rtcPeer(server, '50%off');
    expect((await percent.command('subscribe', channelArgs('user:50%25off'))).response).toEqual(SUBSCRIBED);
    expect((await percent.command('subscribe', channelArgs('user:50%off'))).error.code).toBe(2);
    // Another user whose sub is the encoded text does not get the first one's channel.
    const lookalike = await rtcPeer(server, '50%25off');
    expect((await lookalike.command('subscribe', channelArgs('user:50%25off'))).error.code).toBe(2);
    expect((await lookalike.command('subscribe', channelArgs('user:50%2525off'))).response).toEqual(SUBSCRIBED);
    const response = await post(server, `/api/users/${encodeURIComponent('50%off')}/messages`, { eventName: 'x', payload: 1 });
    expect(await response.json()).toMatchObject({ channel: 'user:50%25off', recipients: 1 });
    await Promise.all([percent.close(), lookalike.close()]);
  });

  it('the development token endpoint issues such subjects too', async () => {
    const dev = await startServer({ dev: true });
    const response = await fetch(`${dev.url}/api/dev/token?sub=${encodeURIComponent('auth0|abc')}`);
    expect((await response.json()).sub).toBe('auth0|abc');
    expect((await fetch(`${dev.url}/api/dev/token?sub=${encodeURIComponent('a\nb')}`)).status).toBe(400);
    await dev.close();
  });
});
