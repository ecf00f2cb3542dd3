// Limits: the defaults let ordinary pages through (protocol-notes, last section); each limit, tightened, bites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_ON, ManualClock, channelArgs, command, metric, openPeer, rtcPeer, startServer, type Peer, SUBSCRIBED } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;

describe('default settings do not get in the way of ordinary use', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('a page subscribing to 128 channels at start-up, one command after another', async () => {
    const peer = await rtcPeer(server);
    for (let i = 0; i < 128; i += 1) expect((await peer.command('subscribe', channelArgs(`widget-${i}`))).response).toEqual(SUBSCRIBED);
    await peer.close();
  });

  it('30 connections within a minute from one IP', async () => {
    // Loopback is exempt from the per-IP limit, so the office NAT address comes through a trusted proxy header.
    const office = await startServer({ trustProxy: ['loopback'] });
    const peers: Peer[] = [];
    for (let i = 0; i < 30; i += 1) peers.push(await rtcPeer(office, `reload-${i}`, { headers: { 'x-forwarded-for': '203.0.113.50' } }));
    for (const peer of peers) expect((await peer.command('ping')).response.pong).toBe(true);
    await Promise.all(peers.map((p) => p.close()));
    await office.close();
  });

  it('a burst of 200 publishes sent at once from one client, all acknowledged and all delivered', async () => {
    const publisher = await rtcPeer(server, 'burst');
    const reader = await rtcPeer(server, 'reader');
    await reader.command('subscribe', channelArgs('ticker'));
    for (let i = 0; i < 200; i += 1) publisher.send(command('publish', { channel: 'ticker', data: { eventName: 'tick', payload: i } }, i));
    await expect.poll(() => publisher.received.length).toBe(200);
    expect(publisher.received.filter((m) => m.data.error)).toEqual([]);
    await expect.poll(() => reader.received.filter((m) => m.type === 'event').length).toBe(200);
    await Promise.all([publisher.close(), reader.close()]);
  });
});

describe('tightened limits bite', () => {
  it('connections per IP per minute: the next one gets HTTP 429, other IPs (behind a trusted proxy) do not', async () => {
    const server = await startServer({ limits: { ipConnectionsPerMinute: 3 }, trustProxy: ['loopback'] });
    const as = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const peers = [];
    for (let i = 0; i < 3; i += 1) peers.push(await openPeer(`${server.ws}/rtc`, as('203.0.113.7')));
    await expect(openPeer(`${server.ws}/rtc`, as('203.0.113.7'))).rejects.toThrow(/429/);
    await expect(openPeer(`${server.ws}/`, as('203.0.113.7'))).rejects.toThrow(/429/);
    peers.push(await openPeer(`${server.ws}/rtc`, as('198.51.100.1')));
    for (let i = 0; i < 5; i += 1) peers.push(await openPeer(`${server.ws}/rtc`)); // loopback itself is never limited
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'rtm_limited_total', '{limit="ip"}')).toBe(2);
    await Promise.all(peers.map((p) => p.close()));
    await server.close();
  });

  it('a slow consumer is closed with 4003 instead of buffering without bound; others keep receiving', async () => {
    const server = await startServer({ limits: { maxBuffered: 256 * 1024, rateBurst: 5_000, ratePerSecond: 5_000 } });
    const slow = await rtcPeer(server, 'slow');
    const fast = await rtcPeer(server, 'fast');
    const publisher = await rtcPeer(server, 'pub');
    await slow.command('subscribe', channelArgs('firehose'));
    await fast.command('subscribe', channelArgs('firehose'));
    // Stops reading the socket (ws pauses the underlying stream), so what the server sends piles up.
    slow.ws.pause();
    const chunk = 'x'.repeat(48 * 1024);
    let sent = 0;
    const slowCount = async () => metric(await (await fetch(`${server.url}/metrics`)).text(), 'rtm_slow_consumers_total');
    while ((await slowCount()) === 0 && sent < 2_000) {
      for (let i = 0; i < 20; i += 1, sent += 1) publisher.send(command('publish', { channel: 'firehose', data: chunk }, sent));
      await expect.poll(() => publisher.received.length, { timeout: 5_000 }).toBe(sent);
    }
    expect(await slowCount()).toBe(1);
    slow.ws.resume();
    expect((await slow.closed).code).toBe(4003);
    await expect.poll(() => fast.received.filter((m) => m.type === 'event').length, { timeout: 5_000 }).toBe(sent);
    await Promise.all([fast.close(), publisher.close()]);
    await server.close();
  });

  it('the heartbeat terminates a peer that stops answering pings, and spares one that answers', async () => {
    const clock = new ManualClock();
    const server = await startServer({ clock, heartbeat: 30, ...LEGACY_ON });
    const token = await server.auth.sign('alice', 3600);
    const dead = await openPeer(`${server.ws}/rtc?access_token=${token}`, { autoPong: false });
    const alive = await openPeer(`${server.ws}/rtc?access_token=${token}`);
    const legacyDead = await openPeer(`${server.ws}/`, { autoPong: false });
    clock.advance(30_000); // ping
    await new Promise((r) => setTimeout(r, 50)); // let the pong come back
    clock.advance(30_000); // no pong since the last ping: terminate
    expect((await dead.closed).code).toBe(1006);
    expect((await legacyDead.closed).code).toBe(1006);
    expect((await alive.command('ping')).response.pong).toBe(true);
    await alive.close();
    await server.close();
  });

  it('the heartbeat counts only pongs that echo its ping: unsolicited pongs do not keep a non-answering peer alive', async () => {
    const clock = new ManualClock();
    const server = await startServer({ clock, heartbeat: 30 });
    const faker = await rtcPeer(server, 'faker', { autoPong: false });
    const honest = await rtcPeer(server, 'honest');
    const fakePong = async (): Promise<void> => {
      faker.ws.pong(Buffer.from('still here'));
      faker.ws.pong();
      // Frames of one socket are handled in order: once the server answers a ping of ours, the pongs before it were seen.
      // (A ping, not a command: any data frame proves a peer alive.)
      const answered = new Promise((resolve) => faker.ws.once('pong', resolve));
      faker.ws.ping();
      await answered;
    };
    await fakePong();
    clock.advance(30_000); // ping with a random payload
    await fakePong();
    // The honest peer pongs as it reads the ping, before this answer; the second round trip makes sure the server saw it.
    await honest.command('ping');
    await honest.command('ping');
    clock.advance(30_000); // the faker never echoed the payload: terminated
    expect((await faker.closed).code).toBe(1006);
    expect((await honest.command('ping')).response.pong).toBe(true);
    await honest.close();
    await server.close();
  });

  it('the heartbeat spares a peer whose commands keep arriving though its pong has not yet (an overloaded server reads it behind them)', async () => {
    const clock = new ManualClock();
    const server = await startServer({ clock, heartbeat: 30 });
    // Never answers pings: what keeps it alive is only the commands it sends after each one.
    const busy = await rtcPeer(server, 'busy', { autoPong: false });
    for (let round = 0; round < 3; round += 1) {
      clock.advance(30_000);
      expect((await busy.command('ping')).response.pong).toBe(true);
    }
    clock.advance(30_000); // nothing at all since this ping: terminated
    clock.advance(30_000);
    expect((await busy.closed).code).toBe(1006);
    await server.close();
  });

  it('the Origin allow-list is an exact match, checked at the upgrade (403); non-browsers without Origin pass', async () => {
    const server = await startServer({ ...LEGACY_ON, origins: ['https://app.example.com'] });
    const from = (origin: string) => ({ origin });
    const ok = await openPeer(`${server.ws}/rtc`, from('https://app.example.com'));
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'http://app.example.com', 'null']) {
      await expect(openPeer(`${server.ws}/rtc`, from(origin)), origin).rejects.toThrow(/403/);
    }
    await expect(openPeer(`${server.ws}/`, from('https://evil.example.com'))).rejects.toThrow(/403/);
    const cli = await openPeer(`${server.ws}/rtc`);
    await Promise.all([ok.close(), cli.close()]);
    await server.close();
  });

  it('maxPayload, maxDepth and maxSubscriptions follow their settings', async () => {
    // Depth counts from the frame itself: frame, data, arguments, then the published value.
    const server = await startServer({ maxPayload: 1024, limits: { maxDepth: 6, maxSubscriptions: 2 } });
    const peer = await rtcPeer(server);
    expect((await peer.command('publish', { channel: 'a', data: [[1]] })).response).toEqual({});
    expect((await peer.command('publish', { channel: 'a', data: [[[[1]]]] })).error.code).toBe(4);
    await peer.command('subscribe', channelArgs('a'));
    await peer.command('subscribe', channelArgs('b'));
    expect((await peer.command('subscribe', channelArgs('c'))).error.code).toBe(7);
    peer.send(command('publish', { channel: 'a', data: 'x'.repeat(1024) }));
    expect((await peer.next()).data.error.code).toBe(7);
    await server.close();
  });

  it('maxFrame sets the hard cap: frames over it close with 1009', async () => {
    const server = await startServer({ maxPayload: 1024, maxFrame: 4096 });
    const peer = await rtcPeer(server);
    peer.send(command('publish', { channel: 'a', data: 'x'.repeat(2048) }));
    expect((await peer.next()).data.error.code).toBe(7);
    peer.send(command('publish', { channel: 'a', data: 'x'.repeat(4096) }));
    expect((await peer.closed).code).toBe(1009);
    await server.close();
  });

  it('never negotiates compression, even when the client offers it', async () => {
    const server = await startServer();
    const peer = await rtcPeer(server, 'alice', { perMessageDeflate: true });
    expect(peer.ws.extensions).toBe('');
    await peer.close();
    await server.close();
  });

  it('refuses nonsense limits at start-up', async () => {
    await expect(startServer({ limits: { maxSubscriptions: 0 } })).rejects.toThrow(/maxSubscriptions/);
    await expect(startServer({ limits: { rateBurst: 1.5 } })).rejects.toThrow(/rateBurst/);
    await expect(startServer({ limits: { bogus: 1 } as never })).rejects.toThrow(/unknown limit/);
    await expect(startServer({ origins: ['app.example.com'] })).rejects.toThrow(/origin/);
    await expect(startServer({ resources: ['channel'] })).rejects.toThrow(/resource/);
    await expect(startServer({ logLevel: 'loud' })).rejects.toThrow(/log level/);
  });
});

describe('client IPs behind a proxy, and caps on open connections', () => {
  it('a spoofed X-Real-IP or X-Forwarded-For gains nothing: the IP is the right-most hop the trusted proxy did not write', async () => {
    const server = await startServer({ limits: { ipConnectionsPerMinute: 2 }, trustProxy: ['loopback'] });
    // The proxy (loopback) appends the real client 203.0.113.30 to whatever the client sent.
    const spoof = (claimed: string) => ({ headers: { 'x-real-ip': '127.0.0.1', 'x-forwarded-for': `${claimed}, 203.0.113.30` } });
    const peers = [await openPeer(`${server.ws}/rtc`, spoof('127.0.0.1')), await openPeer(`${server.ws}/rtc`, spoof('10.0.0.1'))];
    await expect(openPeer(`${server.ws}/rtc`, spoof('::1'))).rejects.toThrow(/429/);
    await expect(openPeer(`${server.ws}/rtc`, { headers: { 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '203.0.113.30' } })).rejects.toThrow(/429/);
    await Promise.all(peers.map((p) => p.close()));
    await server.close();
  });

  it('without --trust-proxy, or from a peer not listed, X-Forwarded-For is not read at all', async () => {
    const server = await startServer({ limits: { ipConnectionsPerMinute: 1 }, trustProxy: ['10.0.0.0/8'] });
    const log: string[] = [];
    const logged = await startServer({ trustProxy: ['10.0.0.0/8'], logger: { info: (event, fields) => log.push(`${event} ${String(fields?.ip)}`), warn: () => undefined, error: () => undefined } });
    const peer = await rtcPeer(logged, 'alice', { headers: { 'x-forwarded-for': '203.0.113.31' } });
    await expect.poll(() => log.find((line) => line.startsWith('connect '))).toMatch(/^connect (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    await peer.close();
    // Loopback stays exempt from the rate: the header did not move this client out of it.
    const many = [];
    for (let i = 0; i < 3; i += 1) many.push(await openPeer(`${server.ws}/rtc`, { headers: { 'x-forwarded-for': `203.0.113.${40 + i}` } }));
    await Promise.all(many.map((p) => p.close()));
    await Promise.all([server.close(), logged.close()]);
  });

  it('caps the connections one IP holds open (429) and one user holds open (1013), counting only open ones', async () => {
    const server = await startServer({ trustProxy: ['loopback'], limits: { maxConnectionsPerIp: 3, maxConnectionsPerUser: 2 } });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const held = [await openPeer(`${server.ws}/rtc`, from('203.0.113.50')), await openPeer(`${server.ws}/rtc`, from('203.0.113.50')), await openPeer(`${server.ws}/rtc`, from('203.0.113.50'))];
    await expect(openPeer(`${server.ws}/rtc`, from('203.0.113.50'))).rejects.toThrow(/429/);
    await held.pop()!.close();
    await expect.poll(() => openPeer(`${server.ws}/rtc`, from('203.0.113.50')).then((p) => (held.push(p), 'open'), () => 'refused')).toBe('open');

    const first = await rtcPeer(server, 'carol');
    const second = await rtcPeer(server, 'carol');
    const third = await rtcPeer(server, 'carol');
    expect((await third.closed).code).toBe(1013);
    expect((await first.command('ping')).response.pong).toBe(true);
    await first.close();
    const attempt = async (): Promise<string> => {
      const peer = await rtcPeer(server, 'carol');
      held.push(peer);
      return Promise.race([peer.closed.then(({ code }) => `closed ${code}`), peer.command('ping').then(() => 'open')]);
    };
    await expect.poll(attempt).toBe('open');
    await Promise.all([...held, second].map((p) => p.close()));
    await server.close();
  });
});
