import { expect, test } from '@playwright/test';
import { FAST, broadcast, openRecoveryPage, received, recoveries, settled, unique } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';

// When missed messages cannot be recovered, the page is told so, clearly, and carries on from now.

test('history expiry: a page offline for longer than the history keeps messages gets recovered: false (expired)', async ({ browser }) => {
  // Channels of this test keep their history for 1 s.
  const server = await startServer(['--history', 'expiry-*=100/1']);
  const context = await browser.newContext();
  try {
    const channel = unique('expiry');
    const page = await context.newPage();
    await openRecoveryPage(page, server.url, { sub: 'reader', channels: [channel] });
    await broadcast(server, channel, 'seen');
    await expect.poll(() => received(page, channel), FAST).toEqual(['seen']);

    await context.setOffline(true);
    await expect.poll(() => page.evaluate(() => (window as any).rtm.state), FAST).not.toBe('open');
    await broadcast(server, channel, 'missed');
    // Time is the subject here: the missed message must outlive the history's 1 s.
    await page.waitForTimeout(1_500);
    await context.setOffline(false);

    await expect.poll(() => recoveries(page), FAST).toEqual([{ resource: { type: 'channel', name: channel }, recovered: false, reason: 'expired', info: expect.stringContaining('no longer in history') }]);
    await broadcast(server, channel, 'later');
    await expect.poll(() => received(page, channel), FAST).toEqual(['seen', 'later']);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('epoch change: after a server restart (history lost), the page gets recovered: false (epoch) and goes on with the new stream', async ({ browser }) => {
  let server: ServerProcess = await startServer();
  const context = await browser.newContext();
  try {
    const channel = unique('epoch');
    const page = await context.newPage();
    await openRecoveryPage(page, server.url, { sub: 'reader', channels: [channel] });
    // The handle reports too, for widgets that watch one channel.
    await page.evaluate((name) => {
      const w = window as any;
      w.handleReports = [];
      w.rtm.channel(name).onRecovery((r: unknown) => w.handleReports.push(r));
    }, channel);
    for (const n of [1, 2]) await broadcast(server, channel, n);
    await expect.poll(() => received(page, channel), FAST).toEqual([1, 2]);

    await server.stop();
    server = await startServer([], { port: server.port, secret: server.secret, apiKey: server.apiKey });
    await expect.poll(() => recoveries(page), { timeout: 15_000 }).toHaveLength(1);
    expect((await recoveries(page))[0]).toEqual({ resource: { type: 'channel', name: channel }, recovered: false, reason: 'epoch', info: expect.any(String) });
    expect(await page.evaluate(() => (window as any).handleReports)).toEqual([{ recovered: false, reason: 'epoch', info: expect.any(String) }]);
    await expect.poll(() => settled(page), FAST).toBe(true);

    // The new epoch starts at offset 1 again: its messages are delivered, not mistaken for repeats of 1 and 2.
    for (const n of [3, 4]) await broadcast(server, channel, n);
    await expect.poll(() => received(page, channel), FAST).toEqual([1, 2, 3, 4]);
  } finally {
    await context.close();
    await server.stop();
  }
});
