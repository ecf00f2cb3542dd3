// Token expiry and reminders, with time moved by hand: the clock is the subject here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepOf } from '../ops/deadline-sweep.js';
import { ManualClock, channelArgs, openPeer, startServer, type Peer, SUBSCRIBED } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let clock: ManualClock;
let server: Server;

beforeEach(async () => {
  clock = new ManualClock();
  server = await startServer({ clock, heartbeat: 0, timing: { reminder: 60, grace: 5, authTimeout: 10 } });
});
afterEach(() => server.close());

/** Lets frames already sent by the server arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const notifications = (peer: Peer) => peer.received.filter((m) => m.type === 'notification');

async function connectWithTtl(ttl: number, sub = 'alice'): Promise<Peer> {
  const peer = await openPeer(`${server.ws}/rtc?access_token=${await server.auth.sign(sub, ttl)}`);
  expect((await peer.command('ping')).response.time).toBe(clock.now()); // authenticated, and on the manual clock
  return peer;
}

describe('reminder and expiry', () => {
  it('sends notification 1 exactly `reminder` seconds before exp, and closes 4002 at exp + grace', async () => {
    const peer = await connectWithTtl(600);
    clock.advance(539_999);
    await settle();
    expect(notifications(peer)).toHaveLength(0);
    clock.advance(1);
    expect((await peer.waitFor((m) => m.type === 'notification')).data).toEqual({ code: 1, info: expect.any(String), data: { exp: clock.now() / 1000 + 60 } });
    clock.advance(64_999); // exp + grace - 1 ms
    await settle();
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
    clock.advance(1);
    expect(await peer.closed).toEqual({ code: 4002, reason: 'token expired' });
  });

  it('never reminds later than half-way through a short token’s life', async () => {
    const peer = await connectWithTtl(60); // reminder 60 would mean "at once"; half-way is 30 s
    clock.advance(29_999);
    await settle();
    expect(notifications(peer)).toHaveLength(0);
    clock.advance(1);
    await peer.waitFor((m) => m.type === 'notification');
  });

  it('a jwt replace for the same sub extends the connection and re-arms the reminder', async () => {
    const peer = await connectWithTtl(120);
    clock.advance(60_000);
    await peer.waitFor((m) => m.type === 'notification');
    expect((await peer.command('jwt replace', { token: await server.auth.sign('alice', 600) })).response).toEqual({});
    clock.advance(200_000); // well past the first token's exp + grace
    await settle();
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
    expect((await peer.command('subscribe', channelArgs('user:alice'))).response).toEqual(SUBSCRIBED);
    clock.advance(340_000); // 540 s after the replacement: 60 s before the new exp
    await settle();
    expect(notifications(peer)).toHaveLength(2);
    clock.advance(65_000);
    expect((await peer.closed).code).toBe(4002);
  });

  it('reminds once per token: the same token sent back in answer (as the official SDK does) re-arms nothing, and the close stays at exp + grace', async () => {
    const token = await server.auth.sign('alice', 120);
    const peer = await openPeer(`${server.ws}/rtc?access_token=${token}`);
    await peer.command('ping');
    // Answer every notification with the same token, like jexia-sdk-js whose clock says the token is still fresh.
    let replaces = 0;
    peer.ws.on('message', (raw) => {
      if (JSON.parse(raw.toString()).type !== 'notification') return;
      replaces += 1;
      peer.send({ type: 'command', data: { command: 'jwt replace', arguments: { token } } });
    });
    clock.advance(60_000);
    await peer.waitFor((m) => m.type === 'command response' && m.data.request?.data?.command === 'jwt replace');
    for (let step = 0; step < 64; step++) {
      clock.advance(1_000); // up to 4 s past exp: the token is still accepted within the clock tolerance
      await peer.command('jwt replace', { token });
    }
    await settle();
    expect(notifications(peer)).toHaveLength(1);
    expect(replaces).toBe(1);
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
    clock.advance(1_000); // exp + grace
    expect((await peer.closed).code).toBe(4002);
  });

  it('never reminds more often than the floor, even for new tokens that are already due', async () => {
    const peer = await connectWithTtl(2);
    clock.advance(1_000);
    await peer.waitFor((m) => m.type === 'notification');
    // A token source whose clock runs behind: each replacement is a new token, due the moment it arrives.
    for (let second = 2; second <= 7; second++) {
      clock.advance(1_000);
      expect((await peer.command('jwt replace', { token: await server.auth.sign('alice', 0) })).response).toEqual({});
    }
    await settle();
    // Without the floor, one a second from the third second on; with it, at 1, 3, 5 and 7 s, each for the token then held.
    const exps = notifications(peer).map((n) => n.data.data.exp - clock.now() / 1000);
    expect(exps).toEqual([-5, -4, -3, -1]);
  });

  it('a jwt replace for another sub is refused (3) and does not extend anything', async () => {
    const peer = await connectWithTtl(120);
    expect((await peer.command('jwt replace', { token: await server.auth.sign('mallory', 3600) })).error.code).toBe(3);
    clock.advance(125_000);
    expect((await peer.closed).code).toBe(4002);
  });

  it('a token-less connection that never sends jwt replace is closed 4001 after authTimeout', async () => {
    const peer = await openPeer(`${server.ws}/rtc`);
    clock.advance(9_999);
    await settle();
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
    clock.advance(1);
    expect(await peer.closed).toEqual({ code: 4001, reason: 'no token received' });
  });

  it('a token-less connection that authenticates in time gets the same timers as a URL token', async () => {
    const peer = await openPeer(`${server.ws}/rtc`);
    clock.advance(5_000);
    expect((await peer.command('jwt replace', { token: await server.auth.sign('bob', 300) })).response).toEqual({});
    clock.advance(240_000);
    await peer.waitFor((m) => m.type === 'notification');
    clock.advance(65_000);
    expect((await peer.closed).code).toBe(4002);
  });

  it('verifies exp against the injected clock, with the clock tolerance', async () => {
    const token = await server.auth.sign('alice', 60);
    clock.advance(64_000); // 4 s past exp: within the default 5 s tolerance
    const late = await openPeer(`${server.ws}/rtc?access_token=${token}`);
    expect((await late.command('ping')).response.pong).toBe(true);
    clock.advance(2_000); // 6 s past exp
    const tooLate = await openPeer(`${server.ws}/rtc?access_token=${token}`);
    expect((await tooLate.next()).data.error).toEqual({ code: 3, info: 'token expired' });
    expect((await tooLate.closed).code).toBe(4001);
  });

  it('leaves no timer behind when connections close', async () => {
    const peers = await Promise.all([connectWithTtl(600), connectWithTtl(600, 'bob'), openPeer(`${server.ws}/rtc`)]);
    // Two token deadlines for each authenticated peer, one for the peer waiting for a token: all behind one timer.
    expect(sweepOf(clock).size).toBe(5);
    expect(clock.pending).toBe(1);
    await Promise.all(peers.map((p) => p.close()));
    await expect.poll(() => sweepOf(clock).size).toBe(0);
    await expect.poll(() => clock.pending).toBe(0);
  });
});
