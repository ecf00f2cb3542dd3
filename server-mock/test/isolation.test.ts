// Private user channels and the rtm claim: who may read and write what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_ON, channelArgs, openPeer, post, rtcPeer, startServer, type Peer, SUBSCRIBED } from './peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;

beforeAll(async () => {
  server = await startServer(LEGACY_ON);
});
afterAll(() => server.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const events = (peer: Peer) => peer.received.filter((m) => m.type === 'event');

describe('private-channel isolation across two users', () => {
  it('user:<id> reaches only <id>, whoever sends it and however', async () => {
    const alice = await rtcPeer(server, 'alice');
    const bob = await rtcPeer(server, 'bob');
    const legacy = await openPeer(`${server.ws}/`);
    expect((await alice.command('subscribe', channelArgs('user:alice'))).response).toEqual(SUBSCRIBED);
    expect((await bob.command('subscribe', channelArgs('user:bob'))).response).toEqual(SUBSCRIBED);

    // Bob cannot subscribe to, publish on or unsubscribe his way into Alice's channel.
    // In words a user understands, not just "not allowed".
    expect((await bob.command('subscribe', channelArgs('user:alice'))).error).toEqual({ code: 2, info: '"user:alice" is the private channel of user "alice"; this token is for user "bob"' });
    expect((await bob.command('publish', { channel: 'user:alice', data: { eventName: 'spoof', payload: 1 } })).error).toEqual({
      code: 2,
      info: '"user:alice" is the private channel of user "alice"; this token is for user "bob"',
    });
    expect((await bob.command('subscribe', channelArgs('user:alice2'))).error.code).toBe(2);
    expect((await bob.command('subscribe', channelArgs('user:'))).error.code).toBe(2);

    // The server pushes to Alice over REST; Alice writes to herself.
    expect((await (await post(server, '/api/users/alice/messages', { eventName: 'invoice', payload: { n: 1 } })).json()).recipients).toBe(1);
    expect((await alice.command('publish', { channel: 'user:alice', data: { eventName: 'note', payload: 2 } })).response).toEqual({});
    expect((await (await post(server, '/api/broadcast', { channel: 'user:alice', event_name: 'direct', payload: 3 })).json()).recipients).toBe(1);

    await settle();
    expect(events(alice).map((e) => e.data.data.eventName)).toEqual(['invoice', 'note', 'direct']);
    expect(events(bob)).toEqual([]);
    expect(legacy.received).toEqual([]);
    await Promise.all([alice.close(), bob.close(), legacy.close()]);
  });

  it('user ids that cannot have a private channel (too long, not UTF-8) are refused, not mangled', async () => {
    expect((await post(server, '/api/users/al%ED%A0%80ice/messages', { eventName: 'x', payload: 1 })).status).toBe(400);
    const response = await post(server, `/api/users/${'a'.repeat(256)}/messages`, { eventName: 'x', payload: 1 });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(1001);
  });
});

describe('the rtm claim narrows what a token may do', () => {
  const withRights = async (sub: string, rtm: unknown) => openPeer(`${server.ws}/rtc?access_token=${await server.auth.sign(sub, 3600, { rtm })}`);

  it('allows exactly the listed patterns (trailing * is a prefix wildcard) and answers 2 otherwise', async () => {
    const peer = await withRights('carol', { subscribe: ['news', 'room:*', 'ds:orders', 'fs:*'], publish: ['room:42'] });
    const sub = async (args: unknown) => (await peer.command('subscribe', args)).error?.code ?? 'ok';
    expect(await sub(channelArgs('news'))).toBe('ok');
    expect(await sub(channelArgs('room:7'))).toBe('ok');
    expect(await sub(channelArgs('newsroom'))).toBe(2);
    expect(await sub(channelArgs('room'))).toBe(2);
    expect(await sub({ action: ['all'], resource: { type: 'ds', name: 'orders' } })).toBe('ok');
    expect(await sub({ action: ['all'], resource: { type: 'ds', name: 'customers' } })).toBe(2);
    expect(await sub({ action: ['created'], resource: { type: 'fs', name: 'avatars' } })).toBe('ok');
    const pub = async (channel: string) => (await peer.command('publish', { channel, data: 1 })).error?.code ?? 'ok';
    expect(await pub('room:42')).toBe('ok');
    expect(await pub('room:43')).toBe(2);
    expect(await pub('news')).toBe(2);
    await peer.close();
  });

  it('never opens another user’s private channel, even with a * pattern', async () => {
    const peer = await withRights('carol', { subscribe: ['*'], publish: ['*'] });
    expect((await peer.command('subscribe', channelArgs('user:alice'))).error.code).toBe(2);
    expect((await peer.command('publish', { channel: 'user:alice', data: 1 })).error.code).toBe(2);
    expect((await peer.command('subscribe', channelArgs('user:carol'))).response).toEqual(SUBSCRIBED);
    await peer.close();
  });

  it('a claim without a publish list allows no publishing; no claim allows every public channel', async () => {
    const readOnly = await withRights('dave', { subscribe: ['*'] });
    expect((await readOnly.command('publish', { channel: 'news', data: 1 })).error).toEqual({ code: 2, info: 'none of the given actions ["publish"] for this resource are allowed' });
    const plain = await rtcPeer(server, 'erin');
    expect((await plain.command('publish', { channel: 'news', data: 1 })).response).toEqual({});
    expect((await plain.command('subscribe', { action: ['all'], resource: { type: 'ds', name: 'anything' } })).response).toEqual({});
    await Promise.all([readOnly.close(), plain.close()]);
  });
});

describe('the channel allow-list', () => {
  it('answers 1001 for channels not on it, on subscribe, publish and REST', async () => {
    const listed = await startServer({ channels: ['news', 'room:*'] });
    const peer = await rtcPeer(listed);
    expect((await peer.command('subscribe', channelArgs('room:1'))).response).toEqual(SUBSCRIBED);
    expect((await peer.command('subscribe', channelArgs('sports'))).error).toEqual({ code: 1001, info: 'resource "sports" is unavailable' });
    expect((await peer.command('publish', { channel: 'sports', data: 1 })).error.code).toBe(1001);
    expect((await peer.command('subscribe', channelArgs('user:alice'))).error.code).toBe(1001);
    const rest = await post(listed, '/api/broadcast', { channel: 'sports', eventName: 'x', payload: 1 });
    expect(rest.status).toBe(404);
    expect((await rest.json()).error.code).toBe(1001);
    await peer.close();
    await listed.close();
  });
});
