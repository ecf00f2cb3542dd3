import { expect, test } from '@playwright/test';
import { startRedis, type RedisProcess } from '../server-mock/redis/redis.test-util.js';
import { FAST, broadcast, openRecoveryPage, received, recoveries, settled, unique } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';
import { startProxy, type BlackholeProxy } from './client-proxy.js';

// Three rtm-server processes on one redis-server, pages connected to A through a relay standing in for the
// load balancer. A crashes (SIGKILL) while a publisher keeps sending to B and C; the pages reconnect to B
// and recover what they missed from Redis history. Then Redis itself restarts empty, and it all holds again.

test('instance A killed with SIGKILL: its pages reconnect to B and recover every missed message from Redis, none lost, none twice; again after Redis restarts', async ({ browser }) => {
  test.setTimeout(60_000);
  let redis: RedisProcess | undefined;
  let relay: BlackholeProxy | undefined;
  const servers: ServerProcess[] = [];
  const context = await browser.newContext();
  try {
    redis = await startRedis();
    const first = await startServer(['--redis', redis.url]);
    // Instances behind one balancer share the secret and the API key.
    const keys = { secret: first.secret, apiKey: first.apiKey };
    servers.push(first, await startServer(['--redis', redis.url], keys), await startServer(['--redis', redis.url], keys));
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    relay = await startProxy(a.port);

    const channel = unique('cluster');
    // The pages come from C (which stays up); their WebSockets go through the relay, to A for now.
    const pages = [await context.newPage(), await context.newPage()];
    for (const [i, page] of pages.entries()) await openRecoveryPage(page, c.url, { ws: `ws://127.0.0.1:${relay.port}`, sub: `reader-${i}`, channels: [channel] });

    let sent = 0;
    const publish = async (count: number): Promise<void> => {
      // The publisher alternates between B and C, as requests spread by a balancer do.
      for (let i = 0; i < count; i += 1) await broadcast(sent % 2 === 0 ? b : c, channel, ++sent);
    };
    const numbers = (to: number): number[] => Array.from({ length: to }, (_, i) => i + 1);

    await publish(50);
    await expect.poll(() => Promise.all(pages.map((p) => received(p, channel))), FAST).toEqual([numbers(50), numbers(50)]);

    // A crashes mid-stream. Until the balancer notices, reconnects are refused; what is published meanwhile is missed live.
    await a.kill();
    await publish(50);
    relay.pointTo(b.port);
    await publish(50);
    await expect.poll(() => Promise.all(pages.map((p) => received(p, channel))), { timeout: 15_000 }).toEqual([numbers(150), numbers(150)]);
    for (const page of pages) expect(await recoveries(page)).toEqual([{ resource: { type: 'channel', name: channel }, recovered: true }]);

    // Redis restarts without persistence: the pages keep their connections to B, history starts over in a new epoch,
    // and fan-out between the instances resumes by itself.
    await redis.stop();
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, FAST).toBe(503);
    await redis.start();
    await expect
      .poll(async () => (await Promise.all([b, c].map(async (s) => (await fetch(`${s.url}/readyz`)).status))).join(), { timeout: 10_000 })
      .toBe('200,200');
    await publish(50);
    await expect.poll(() => Promise.all(pages.map((p) => received(p, channel))), FAST).toEqual([numbers(200), numbers(200)]);

    // And a second crash, now of B, recovers from the new epoch's history on C.
    await b.kill();
    for (let i = 0; i < 25; i += 1) await broadcast(c, channel, ++sent);
    relay.pointTo(c.port);
    await expect.poll(() => Promise.all(pages.map((p) => received(p, channel))), { timeout: 15_000 }).toEqual([numbers(225), numbers(225)]);
    for (const page of pages) {
      await expect.poll(() => settled(page), FAST).toBe(true);
      expect((await recoveries(page)).map((r) => r.recovered)).toEqual([true, true]);
    }
  } finally {
    await context.close();
    await relay?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
  }
});
