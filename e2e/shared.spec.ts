import { expect, test } from '@playwright/test';
import { broadcast } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';
import { frames, got, openPublisher, openSharedTab, serverConnections, serverSubscriptions, sharedMode, waitForCount, type Platform } from './shared-tabs.js';

// Shared mode (rtm-kit/shared): tabs of one browser context share one server connection. Connections are counted
// by the server (its rtm_connections gauge), messages by each tab's own listener.

// A server per test: its connection count is this test's alone.
let server: ServerProcess;
test.beforeEach(async () => {
  server = await startServer();
});
test.afterEach(async () => {
  await server?.stop();
});

const numbers = (count: number, from = 0): number[] => Array.from({ length: count }, (_, i) => from + i);

for (const platform of ['worker', 'election'] as const satisfies readonly Platform[]) {
  test.describe(`shared through ${platform === 'worker' ? 'a SharedWorker' : 'leader election (no SharedWorker)'}`, () => {
    test('5 tabs hold exactly one server connection, and every tab receives each message once, in order', async ({ browser }) => {
      const context = await browser.newContext();
      const channel = `five-${platform}`;
      const tabs = [];
      for (let i = 0; i < 5; i++) tabs.push(await openSharedTab(context, server.url, { sub: `five-${platform}`, channels: [channel], platform }));
      for (const tab of tabs) expect(await sharedMode(tab)).toBe(platform);
      expect(await serverConnections(server.url)).toBe(1);
      for (const n of numbers(20)) await broadcast(server, channel, n);
      for (const tab of tabs) await waitForCount(tab, channel, 20);
      for (const tab of tabs) expect(await got(tab, channel)).toEqual(numbers(20));
      expect(await serverConnections(server.url)).toBe(1);
      await context.close();
    });

    test('the tab holding the connection closes in the middle of 500 messages, then the next one: the others get all of them once, in order', async ({ browser }) => {
      // Five tabs and 500 messages take a while on a loaded machine; nothing here is timed.
      test.setTimeout(120_000);
      const context = await browser.newContext();
      const channel = `stream-${platform}`;
      const tabs = [];
      for (let i = 0; i < 5; i++) tabs.push(await openSharedTab(context, server.url, { sub: `stream-${platform}`, channels: [channel], platform }));
      const [first, second, ...rest] = tabs;
      const publisher = await openPublisher(server.url, 'streamer');
      // Not awaited: the stream goes on while the tab closes and another takes over; then the next leader closes too.
      const closing: Array<Promise<void>> = [];
      for (let batch = 0; batch < 50; batch++) {
        if (batch === 15) closing.push(first!.close());
        if (batch === 30) closing.push(second!.close());
        await publisher.publish(channel, numbers(10, batch * 10));
      }
      await Promise.all(closing);
      publisher.close();
      for (const tab of rest) await waitForCount(tab, channel, 500);
      for (const tab of rest) expect(await got(tab, channel)).toEqual(numbers(500));
      await expect.poll(() => serverConnections(server.url)).toBe(1);
      await context.close();
    });

    test('publishes from another tab while the first one closes are each delivered once, in order', async ({ browser }) => {
      const context = await browser.newContext();
      const channel = `handover-publish-${platform}`;
      const tabs = [];
      for (let i = 0; i < 3; i++) tabs.push(await openSharedTab(context, server.url, { sub: `publisher-${platform}`, channels: [channel], platform }));
      const [first, publisher, listener] = tabs;
      // Started together, then the first tab closes while they are in flight (sent, queued, or answered: each must land once).
      await publisher!.evaluate((name) => {
        const w = window as any;
        w.published = Promise.all(Array.from({ length: 20 }, (_, i) => w.rtm.channel(name).publish('n', i)));
      }, channel);
      await first!.close();
      await publisher!.evaluate(() => (window as any).published);
      // Sent after them, so it arrives after them: once it is in, a second copy of any of them would have been too.
      await publisher!.evaluate((name) => (window as any).rtm.channel(name).publish('n', 'after'), channel);
      for (const tab of [publisher!, listener!]) await waitForCount(tab, channel, 21);
      for (const tab of [publisher!, listener!]) expect(await got(tab, channel)).toEqual([...numbers(20), 'after']);
      await context.close();
    });

    test('subscriptions are counted across tabs: one on the server while any tab listens, and a tab gets only the channels it listens to', async ({ browser }) => {
      const context = await browser.newContext();
      const sub = `refs-${platform}`;
      const both = await openSharedTab(context, server.url, { sub, channels: ['news', 'sport'], platform });
      const newsOnly = await openSharedTab(context, server.url, { sub, channels: ['news'], platform });
      expect(await serverSubscriptions(server.url)).toBe(2);
      await broadcast(server, 'sport', 'goal');
      await broadcast(server, 'news', 'headline');
      await waitForCount(both, 'news', 1);
      await waitForCount(newsOnly, 'news', 1);
      expect(await got(both, 'sport')).toEqual(['goal']);
      // The tab without a sport listener was sent no sport frame at all (its client logs every frame it receives).
      expect(await frames(newsOnly, 'sport')).toEqual([]);
      expect(await frames(newsOnly, 'news')).toHaveLength(1);

      // The first tab stops listening to news: the other still gets it, over the same server subscription.
      await both.evaluate(() => (window as any).stop.news());
      await broadcast(server, 'news', 'second');
      await waitForCount(newsOnly, 'news', 2);
      expect(await got(newsOnly, 'news')).toEqual(['headline', 'second']);
      expect(await got(both, 'news')).toEqual(['headline']);
      expect(await serverSubscriptions(server.url)).toBe(2);
      // The last news listener stops: the server subscription goes.
      await newsOnly.evaluate(() => (window as any).stop.news());
      await expect.poll(() => serverSubscriptions(server.url)).toBe(1);
      await context.close();
    });

    test('tabs of two users hold two connections and never see each other\'s messages', async ({ browser }) => {
      const context = await browser.newContext();
      const users = [`alice-${platform}`, `bob-${platform}`];
      const tabs = await Promise.all(
        users.flatMap((sub) => [0, 1].map(() => openSharedTab(context, server.url, { sub, channels: [`user:${sub}`, 'lobby'], platform }))),
      );
      expect(await serverConnections(server.url)).toBe(2);
      for (const sub of users) await broadcast(server, `user:${sub}`, `for ${sub}`);
      await broadcast(server, 'lobby', 'for everyone');
      for (const [i, tab] of tabs.entries()) {
        const sub = users[Math.floor(i / 2)]!;
        await waitForCount(tab, 'lobby', 1);
        await waitForCount(tab, `user:${sub}`, 1);
        expect(await got(tab, `user:${sub}`)).toEqual([`for ${sub}`]);
        expect(await got(tab, 'lobby')).toEqual(['for everyone']);
        const other = users.find((user) => user !== sub)!;
        expect(await tab.evaluate((name) => (window as any).got[name], `user:${other}`)).toBeUndefined();
      }
      await context.close();
    });
  });
}

test('without SharedWorker, Web Locks and BroadcastChannel each tab connects on its own, and works', async ({ browser }) => {
  const context = await browser.newContext();
  const tabs = [];
  for (let i = 0; i < 3; i++) tabs.push(await openSharedTab(context, server.url, { sub: 'fallback', channels: ['fallback'], platform: 'none' }));
  for (const tab of tabs) expect(await sharedMode(tab)).toBe(false);
  expect(await serverConnections(server.url)).toBe(3);
  await tabs[0]!.evaluate(() => (window as any).rtm.channel('fallback').publish('n', 'hello'));
  for (const tab of tabs) await waitForCount(tab, 'fallback', 1);
  for (const tab of tabs) expect(await got(tab, 'fallback')).toEqual(['hello']);
  await context.close();
});

test('a SharedWorker whose script does not load: the tabs elect a leader instead, silently', async ({ browser }) => {
  const context = await browser.newContext();
  const tabs = [];
  for (let i = 0; i < 3; i++) {
    tabs.push(await openSharedTab(context, server.url, { sub: 'no-worker-script', channels: ['w'], platform: 'worker', shared: { workerUrl: '/dist/no-such-worker.js' } }));
  }
  for (const tab of tabs) expect(await sharedMode(tab)).toBe('election');
  expect(await serverConnections(server.url)).toBe(1);
  await broadcast(server, 'w', 'hello');
  for (const tab of tabs) await waitForCount(tab, 'w', 1);
  for (const tab of tabs) expect(await got(tab, 'w')).toEqual(['hello']);
  await context.close();
});
