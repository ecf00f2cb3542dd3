// The protocol's official client, jexia-sdk-js 5.12.0, used unchanged against the real rtm-server.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, silentLogger, type RtmServer, type ServerOptions } from '../server-mock/index.js';
import { systemClock } from '../server-mock/ops/clock.js';
import { authStub, loadSdk, socketSpy, until, type AuthStub, type AuthStubOptions, type SpiedSocket } from './jexia-sdk.test-util.js';

const SECRET = 'interop-secret-0123456789abcdef-0123';
const API_KEY = 'interop-api-key-0123456789';
/** The keys of an RTC event, in RTC's order: the SDK's end-to-end schemas reject any other. */
const EVENT_KEYS = ['action', 'resource', 'modifier', 'timestamp', 'data'];

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real rtm-server, the login stub, and a fresh SDK client logged in through it with its realtime, data and file modules. */
async function setup(server: ServerOptions = {}, stub: AuthStubOptions = {}) {
  const rtm: RtmServer = createServer({ port: 0, secret: SECRET, apiKey: API_KEY, logger: silentLogger, ...server });
  await rtm.listen();
  cleanups.push(() => rtm.close());
  const auth: AuthStub = await authStub(rtm, stub);
  cleanups.push(() => auth.close());
  const sdk = loadSdk();
  const spy = socketSpy(rtm.url.replace(/^http/, 'ws'));
  const rtc = sdk.realTime(spy.build as never);
  const dom = sdk.dataOperations();
  const files = sdk.fileOperations();
  const client = sdk.jexiaClient();
  await client.init({ projectURL: auth.url, key: 'sdk-key', secret: 'sdk-secret' }, dom, files, rtc);
  cleanups.push(async () => {
    await client.terminate().catch(() => {});
    spy.closeAll();
  });
  // It asks for two sockets at init (one per route to its first token); the spy hands it one.
  await until(() => spy.requests === 2 && spy.sockets.length === 1 && spy.sockets[0]!.ws.readyState === spy.sockets[0]!.ws.OPEN, 'the SDK connected');
  const rest = (path: string, body: unknown) =>
    fetch(`${rtm.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body: JSON.stringify(body) }).then((r) => r.json());
  return { rtm, auth, spy, rtc, dom, files, client, rest };
}

/** The socket the SDK's channels and watches use: the last one it built. */
const active = (spy: { sockets: SpiedSocket[] }): SpiedSocket => spy.sockets[spy.sockets.length - 1]!;
const events = (socket: SpiedSocket) => socket.received.filter((m) => m.type === 'event');

describe('jexia-sdk-js against rtm-server', () => {
  it('logs in through the stub and connects to /rtc with the access token in the URL', async () => {
    const { auth, spy } = await setup();
    expect(auth.calls).toEqual([{ method: 'POST', path: '/auth', body: { method: 'apk', key: 'sdk-key', secret: 'sdk-secret' } }]);
    expect(spy.sockets[0]!.url).toMatch(/\/rtc\?access_token=eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('subscribes to a channel, publishes (the publish settles with the response), and receives its own and others’ messages in RTC’s shape', async () => {
    const { rtc, spy, rest } = await setup();
    const channel = rtc.channel('sdk-room');
    const received: any[] = [];
    const subscription = channel.subscribe((message) => received.push(message));
    cleanups.push(() => subscription.unsubscribe());
    await until(() => answered(active(spy), 'subscribe') === 1, 'subscribed');
    // Matched by JSON.stringify of the exact frame it sent: this settles only if the echo is the whole request message.
    const ack = await channel.publish({ n: 1, text: 'from the SDK' }).toPromise();
    expect(ack).toEqual({ request: active(spy).sent.find((m) => m.data.command === 'publish'), response: {} });
    await rest('/api/broadcast', { channel: 'sdk-room', eventName: 'greeting', payload: { from: 'REST' } });
    await until(() => received.length === 2, 'both messages arrived');
    for (const message of received) expect(Object.keys(message)).toEqual(EVENT_KEYS);
    expect(received.map((m) => [m.action, m.resource, m.modifier, m.data])).toEqual([
      ['published', { type: 'channel', name: 'sdk-room' }, { id: 'sdk-user' }, { n: 1, text: 'from the SDK' }],
      ['published', { type: 'channel', name: 'sdk-room' }, { id: 'api:default' }, { eventName: 'greeting', payload: { from: 'REST' } }],
    ]);
    expect(Number.isNaN(Date.parse(received[0].timestamp))).toBe(false);
  });

  it('delivers refusals 1001 (no such channel) and 2 (no policy) to the observer’s error callback with the SDK’s expected texts', async () => {
    const { rtc } = await setup({ channels: ['sdk-*', 'channel_with_no_policy'] }, { rights: { subscribe: ['sdk-*', 'ds:*'], publish: ['sdk-*'] } });
    const failure = (name: string) =>
      new Promise<unknown>((resolve) => {
        rtc.channel(name).subscribe({ next: () => resolve(new Error('a message instead of an error')), error: resolve });
      });
    expect(await failure('nonexistent')).toEqual(new Error('Subscription Error: (1001): resource "nonexistent" is unavailable'));
    expect(await failure('channel_with_no_policy')).toEqual(new Error('Subscription Error: (2): none of the given actions ["published"] for this resource are allowed'));
    // A refused publish settles too.
    await expect(rtc.channel('channel_with_no_policy').publish('x').toPromise()).rejects.toEqual(
      new Error('Subscription Error: (2): none of the given actions ["publish"] for this resource are allowed'),
    );
  });

  it('watches a dataset: created, updated and deleted, pushed with POST /api/events, arrive in RTC’s shape', async () => {
    const { dom, spy, rest } = await setup();
    const ids = ['4f8c6ee3-f2d1-47b8-83c4-c5250b86cab4', '0b6b7a3e-1d0e-4d8a-9d3c-6f2f3f6f8a11'];
    const all: any[] = [];
    const created: any[] = [];
    const watching = [dom.dataset('posts').watch().subscribe((m) => all.push(m)), dom.dataset('posts').watch('created').subscribe((m) => created.push(m))];
    cleanups.push(() => watching.forEach((w) => w.unsubscribe()));
    await until(() => answered(active(spy), 'subscribe') === 1, 'subscribed');
    // One subscription for both watches: the SDK asks for ["all"] once and fans out itself.
    expect(active(spy).sent.filter((m) => m.data.command === 'subscribe').map((m) => m.data.arguments)).toEqual([{ action: ['all'], resource: { type: 'ds', name: 'posts' } }]);
    for (const action of ['created', 'updated', 'deleted']) {
      expect(await rest('/api/events', { resource: { type: 'ds', name: 'posts' }, action, data: ids.map((id) => ({ id })), modifier: { id: 'apk:1' } })).toMatchObject({ ok: true, recipients: 1 });
    }
    await until(() => all.length === 3 && created.length === 1, 'the events arrived');
    expect(all.map((m) => m.action)).toEqual(['created', 'updated', 'deleted']);
    for (const message of all) {
      expect(Object.keys(message)).toEqual(EVENT_KEYS);
      expect(message).toMatchObject({ resource: { type: 'ds', name: 'posts' }, modifier: { id: 'apk:1' }, data: ids.map((id) => ({ id })) });
    }
    expect(created[0]).toBe(all[0]);
  });

  it('watches a fileset: the events of fs resources arrive the same way', async () => {
    const { files, spy, rest } = await setup();
    const seen: any[] = [];
    const watching = files.fileset('avatars').watch('created', 'deleted').subscribe((m) => seen.push(m));
    cleanups.push(() => watching.unsubscribe());
    await until(() => answered(active(spy), 'subscribe') === 1, 'subscribed');
    expect(active(spy).sent.find((m) => m.data.command === 'subscribe').data.arguments).toEqual({ action: ['created', 'deleted'], resource: { type: 'fs', name: 'avatars' } });
    const recipients = [];
    for (const action of ['created', 'updated', 'deleted']) recipients.push((await rest('/api/events', { resource: { type: 'fs', name: 'avatars' }, action, data: [{ id: action }] })).recipients);
    expect(recipients).toEqual([1, 0, 1]);
    await until(() => seen.length === 2, 'the events arrived');
    expect(seen.map((m) => [m.action, Object.keys(m)])).toEqual([['created', EVENT_KEYS], ['deleted', EVENT_KEYS]]);
  });

  it('unsubscribes part of "all": the server stops exactly the actions the SDK gave up', async () => {
    const { dom, spy, rest } = await setup();
    const kept: string[] = [];
    const everything = dom.dataset('orders').watch().subscribe(() => {});
    const createdOnly = dom.dataset('orders').watch('created').subscribe((m) => kept.push(m.action));
    cleanups.push(() => createdOnly.unsubscribe());
    await until(() => answered(active(spy), 'subscribe') === 1, 'subscribed');
    // The last watcher of updated and deleted leaves: the SDK unsubscribes just those two.
    everything.unsubscribe();
    await until(() => answered(active(spy), 'unsubscribe') === 1, 'unsubscribed');
    expect(active(spy).sent.find((m) => m.data.command === 'unsubscribe').data.arguments).toEqual({ action: ['updated', 'deleted'], resource: { type: 'ds', name: 'orders' } });
    const recipients = [];
    for (const action of ['updated', 'deleted', 'created']) recipients.push((await rest('/api/events', { resource: { type: 'ds', name: 'orders' }, action, data: [{ id: action }] })).recipients);
    expect(recipients).toEqual([0, 0, 1]);
    await until(() => kept.length === 1, 'created arrived');
    // Nothing else reached the socket (the SDK would have answered a stray event with another unsubscribe).
    expect(events(active(spy)).map((m) => m.data.action)).toEqual(['created']);
    expect(answered(active(spy), 'unsubscribe')).toBe(1);
  });
});

describe('jexia-sdk-js across token expiry', () => {
  it('keeps its session: the SDK replaces each token with its refreshed one, and the connection outlives the first token', async () => {
    // Four-second tokens, timed like hour-long ones in production: the SDK refreshes first (POST /auth/refresh,
    // half-way for tokens under ten minutes, else ten minutes before exp), the server reminds later (a second
    // before exp here, a minute by default).
    const { auth, spy, rtc } = await setup({ timing: { reminder: 1, grace: 1, authTimeout: 10 } }, { ttl: 4 });
    const socket = active(spy);
    const firstToken = new URL(socket.url).searchParams.get('access_token')!;
    const firstExp = expOf(firstToken);
    const replaced = () => new Set(socket.sent.filter((m) => m.data.command === 'jwt replace').map((m) => expOf(m.data.arguments.token)));
    await until(() => replaced().size >= 3 && Date.now() / 1000 > firstExp + 1, 'three refreshed tokens sent, past the first one’s exp + grace', 1_000);
    expect(auth.calls.filter((c) => c.path === '/auth/refresh').length).toBeGreaterThanOrEqual(3);
    // The connection the first token opened still serves: a publish is acknowledged on it.
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(await rtc.channel('sdk-still-here').publish('hello').toPromise()).toMatchObject({ response: {} });
    // Answered in order, so all before the publish's answer are in: every replacement accepted.
    const sentReplaces = socket.sent.filter((m) => m.data.command === 'jwt replace').length;
    expect(socket.received.filter((m) => m.type === 'command response' && m.data.request.data.command === 'jwt replace').map((m) => m.data.response)).toEqual(Array(sentReplaces).fill({}));
    // The refreshes come before the reminders would (as in production): at most one reminder per token, each about its own exp.
    const reminded = socket.received.filter((m) => m.type === 'notification').map((m) => m.data.data.exp);
    expect(new Set(reminded).size).toBe(reminded.length);
  }, 30_000);

  it('with its clock a minute behind the server, gets one reminder, answers it with the same token, and is closed at exp + grace: no storm', async () => {
    const serverClock = { now: () => Date.now() + 60_000, after: systemClock.after };
    const { spy } = await setup({ clock: serverClock, timing: { reminder: 60, grace: 1, authTimeout: 10 } }, { ttl: 2 });
    const socket = active(spy);
    // To the SDK the token has a minute to live, so it neither refreshes nor stops answering the reminder with it.
    const token = new URL(socket.url).searchParams.get('access_token')!;
    socket.ws.onclose = null; // its reconnect would come 10 s later, after the test
    expect(await socket.closed).toBe(4002);
    const notifications = socket.received.filter((m) => m.type === 'notification');
    expect(notifications).toEqual([{ type: 'notification', data: { code: 1, info: expect.any(String), data: { exp: expOf(token) } } }]);
    const replaces = socket.sent.filter((m) => m.data.command === 'jwt replace');
    expect(replaces.map((m) => m.data.arguments.token)).toEqual([token]);
    expect(socket.received.filter((m) => m.type === 'command response' && m.data.request.data.command === 'jwt replace').map((m) => m.data.response)).toEqual([{}]);
  }, 30_000);
});

function expOf(token: string): number {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp;
}

/** How many responses to `command` the socket received. */
function answered(socket: SpiedSocket, command: string): number {
  return socket.received.filter((m) => m.type === 'command response' && m.data.request?.data?.command === command).length;
}
