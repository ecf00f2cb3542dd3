import { expect, test, type Page } from '@playwright/test';
import { startProxy } from './client-proxy.js';
import { openSdkPage } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';

// The client SDK in real Chromium against the real reference server: restarts,
// short-lived tokens, offline spells, a sleeping laptop, and churn.

const got = (page: Page, channel: string): Promise<unknown[]> => page.evaluate((name) => (window as any).got[name], channel);
const states = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).states);
const sentCommands = (page: Page, command: string): Promise<number> =>
  page.evaluate((c) => (window as any).log.filter((line: string) => line.startsWith('send ') && line.includes(`"command":"${c}"`)).length, command);

async function broadcast(server: { url: string; apiKey: string }, channel: string, payload: unknown): Promise<void> {
  const response = await fetch(`${server.url}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.apiKey },
    body: JSON.stringify({ channel, eventName: 'e', payload }),
  });
  expect(response.status).toBe(200);
}

/** A channel name no other test (or repeat of this one) uses. */
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

const shared = () => ({ url: process.env.RTM_E2E_URL!, apiKey: process.env.RTM_E2E_API_KEY! });

test('(a) the server restarts mid-session: the page reconnects, resubscribes once, and the next broadcast arrives exactly once', async ({ page }) => {
  let server: ServerProcess = await startServer();
  try {
    await openSdkPage(page, server.url, { channels: ['restart'] });
    await broadcast(server, 'restart', 'before');
    await expect.poll(() => got(page, 'restart')).toEqual(['before']);
    const subscribesBefore = await sentCommands(page, 'subscribe');

    await server.stop();
    await expect.poll(() => page.evaluate(() => (window as any).rtm.state)).toBe('reconnecting');
    server = await startServer([], { port: server.port, secret: server.secret, apiKey: server.apiKey });

    await expect.poll(() => page.evaluate(() => (window as any).rtm.channel('restart').state), { timeout: 15_000 }).toBe('subscribed');
    expect(await sentCommands(page, 'subscribe')).toBe(subscribesBefore + 1);
    await broadcast(server, 'restart', 'after');
    await expect.poll(() => got(page, 'restart')).toEqual(['before', 'after']);
    await page.waitForTimeout(300);
    expect(await got(page, 'restart')).toEqual(['before', 'after']);
    expect((await states(page)).filter((s) => s.endsWith('>open:open'))).toHaveLength(2);
  } finally {
    await server.stop();
  }
});

test('(b) 5 s tokens: over 15 s, 3 or more replacements happen without a disconnect', async ({ page }) => {
  test.setTimeout(40_000);
  const channel = unique('tokens');
  await openSdkPage(page, shared().url, { ttl: 5, channels: [channel] });
  const statesBefore = await states(page);
  await page.waitForTimeout(15_000);
  const replaced = await page.evaluate(
    () => (window as any).log.filter((line: string) => line.startsWith('receive ') && line.includes('"command":"jwt replace"') && line.includes('"response"')).length,
  );
  expect(replaced).toBeGreaterThanOrEqual(3);
  expect(await states(page)).toEqual(statesBefore);
  expect(await page.evaluate(() => (window as any).rtm.state)).toBe('open');
  // The link still works with the latest token.
  await broadcast(shared(), channel, 'still here');
  await expect.poll(() => got(page, channel)).toEqual(['still here']);
  // No token reached the log in clear.
  expect(await page.evaluate(() => (window as any).log.some((line: string) => /eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(line)))).toBe(false);
});

test('(c) offline for 3 s while publishing 20 messages: all 20 are delivered once, in order, after going online', async ({ browser }) => {
  const receiverContext = await browser.newContext();
  const senderContext = await browser.newContext();
  try {
    const receiver = await receiverContext.newPage();
    const sender = await senderContext.newPage();
    const channel = unique('offline');
    await openSdkPage(receiver, shared().url, { sub: 'receiver', channels: [channel] });
    await openSdkPage(sender, shared().url, { sub: 'sender' });

    await senderContext.setOffline(true);
    await expect.poll(() => sender.evaluate(() => (window as any).rtm.state)).not.toBe('open');
    const published = sender.evaluate(async (name) => {
      const client = (window as any).rtm;
      const results: Array<Promise<unknown>> = [];
      for (let i = 0; i < 20; i++) {
        results.push(client.channel(name).publish('n', i));
        await new Promise((r) => setTimeout(r, 100));
      }
      return Promise.all(results);
    }, channel);
    await sender.waitForTimeout(3_000);
    expect(await got(receiver, channel)).toEqual([]);
    await senderContext.setOffline(false);

    expect(await published).toHaveLength(20);
    const expected = Array.from({ length: 20 }, (_, i) => i);
    await expect.poll(() => got(receiver, channel)).toEqual(expected);
    await receiver.waitForTimeout(300);
    expect(await got(receiver, channel)).toEqual(expected);
  } finally {
    await Promise.all([receiverContext.close(), senderContext.close()]);
  }
});

test('(d) a simulated sleep (clock jumps, timers frozen) finds the dead link on wake and recovers', async ({ page }) => {
  const server = shared();
  const proxy = await startProxy(Number(new URL(server.url).port));
  try {
    await page.clock.install();
    const channel = unique('sleep');
    await openSdkPage(page, server.url, { ws: `ws://127.0.0.1:${proxy.port}`, channels: [channel] });
    const pingsBefore = await sentCommands(page, 'ping');

    // The laptop lid closes: the network drops the link without a word, and an hour passes with no timer running.
    proxy.blackhole();
    await page.clock.fastForward('01:00:00');
    // On wake the wall-clock deadline is long past: the client pings at once...
    await expect.poll(() => sentCommands(page, 'ping')).toBe(pingsBefore + 1);
    expect(await page.evaluate(() => (window as any).rtm.state)).toBe('open');
    // ...and after pingTimeout (10 s) without an answer it drops the link and reconnects.
    await page.clock.runFor(10_000);
    await expect.poll(async () => (await states(page)).some((s) => s.startsWith('open>reconnecting:close 4000 no pong'))).toBe(true);
    await expect.poll(() => page.evaluate((name) => (window as any).rtm.channel(name).state, channel), { timeout: 10_000 }).toBe('subscribed');

    await broadcast(server, channel, 'awake');
    await expect.poll(() => got(page, channel)).toEqual(['awake']);
  } finally {
    await proxy.close();
  }
});

test('(e) 1,000 subscribe/unsubscribe cycles leave no listeners, timers or pending requests behind', async ({ page }) => {
  const kept = unique('kept');
  const churn = unique('churn');
  await openSdkPage(page, shared().url, { channels: [kept] });
  const result = await page.evaluate(async (prefix) => {
    const client = (window as any).rtm;
    const baseline = client.stats();
    for (let i = 0; i < 1_000; i++) {
      const channel = client.channel(`${prefix}-${i % 25}`);
      const off = channel.on(() => {});
      const offState = channel.onState(() => {});
      // Every other cycle lets the subscribe reach the server before leaving.
      if (i % 2) await new Promise((r) => setTimeout(r, 0));
      off();
      offState();
    }
    const deadline = Date.now() + 10_000;
    while ((client.stats().pending > 0 || client.stats().subscriptions > baseline.subscriptions) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { baseline, after: client.stats() };
  }, churn);
  expect(result.after).toEqual(result.baseline);
  expect(result.baseline).toMatchObject({ subscriptions: 1, listeners: 1, pending: 0, queued: 0 });
  // The server holds no stray subscription: a broadcast to a churned channel reaches nobody, the kept one still arrives once.
  await broadcast(shared(), `${churn}-3`, 'nobody');
  await broadcast(shared(), kept, 'once');
  await expect.poll(() => got(page, kept)).toEqual(['once']);
  const recipients = await fetch(`${shared().url}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': shared().apiKey },
    body: JSON.stringify({ channel: `${churn}-7`, eventName: 'e', payload: 1 }),
  }).then((r) => r.json());
  expect(recipients.recipients).toBe(0);
});
