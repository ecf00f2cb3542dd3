import { expect, test } from '@playwright/test';
import { startRedis, type RedisProcess } from '../server-mock/redis/redis.test-util.js';
import { startHttpProxy, type HttpProxy } from './http-proxy.js';
import { FAST, openSdkPage, received, unique } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';

// Three rtm-server processes on one redis-server behind a round-robin proxy that refuses WebSockets: every HTTP
// request of a fallback client (open, stream or poll, each send) may land on another instance than its session's.

test('three instances with Redis behind a round-robin proxy: fallback clients work when their POSTs and streams land on different instances', async ({ browser }) => {
  test.setTimeout(60_000);
  let redis: RedisProcess | undefined;
  let proxy: HttpProxy | undefined;
  const servers: ServerProcess[] = [];
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    redis = await startRedis();
    const first = await startServer(['--redis', redis.url]);
    const keys = { secret: first.secret, apiKey: first.apiKey };
    servers.push(first, await startServer(['--redis', redis.url], keys), await startServer(['--redis', redis.url], keys));
    proxy = await startHttpProxy(servers.map((server) => server.port));

    const channel = unique('rr');
    const [streaming, polling] = await Promise.all(contexts.map((context) => context.newPage()));
    await openSdkPage(streaming!, proxy.url, { ws: proxy.ws, sub: 'streaming', channels: [channel], clientOptions: { transports: ['http-stream'] } });
    await openSdkPage(polling!, proxy.url, { ws: proxy.ws, sub: 'polling', channels: [channel], clientOptions: { transports: ['long-poll'] } });

    // Numbered messages both ways, each publish a POST that the proxy sends to the next instance.
    const publish = (page: typeof streaming, from: number, to: number) =>
      page!.evaluate(
        async ({ name, from, to }) => {
          for (let n = from; n <= to; n++) await (window as any).rtm.channel(name).publish('n', n);
        },
        { name: channel, from, to },
      );
    await publish(streaming, 1, 15);
    await publish(polling, 16, 30);
    const expected = Array.from({ length: 30 }, (_, i) => i + 1);
    for (const page of [streaming!, polling!]) await expect.poll(() => received(page, channel), { ...FAST, timeout: 20_000 }).toEqual(expected);

    // A message to one session, sent through each instance in turn, reaches it wherever it lives.
    for (const page of [streaming!, polling!]) {
      await page.evaluate(() => {
        const w = window as any;
        w.direct = [];
        w.rtm.on('direct', (payload: unknown) => w.direct.push(payload));
      });
      const id = await page.evaluate(() => (window as any).rtm.session as string);
      for (const server of servers) {
        const sent = await fetch(`${server.url}/api/sessions/${encodeURIComponent(id)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': server.apiKey },
          body: JSON.stringify({ eventName: 'nudge', payload: server.port }),
        });
        expect(sent.status).toBe(200);
      }
      await expect.poll(() => page.evaluate(() => (window as any).direct), FAST).toEqual(servers.map((server) => server.port));
    }
    // An unknown session is 404 on every instance, whichever instance id it names.
    const id = await streaming!.evaluate(() => (window as any).rtm.session as string);
    for (const server of servers) {
      const unknown = await fetch(`${server.url}/api/sessions/${encodeURIComponent(`${id}x`)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': server.apiKey },
        body: JSON.stringify({ eventName: 'nudge', payload: 1 }),
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: { code: 1001, info: expect.any(String) } });
    }
    for (const page of [streaming!, polling!]) expect(await page.evaluate(() => (window as any).rtm.transport)).not.toBe('websocket');
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await proxy?.close();
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.stop();
  }
});
