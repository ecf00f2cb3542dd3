import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startProxy } from './client-proxy.js';
import { FAST, TRANSPORTS, broadcast, openRecoveryPage, received, recoveries, settled, unique } from './sdk-page.js';
import { startServer } from './server.js';

// Nothing lost, nothing duplicated: a publisher sends 2,000 numbered messages while the links of every
// page are cut 100 times, by the relay (all at once, like a server-side terminate, each time with the
// publisher's last acknowledgements lost) and by taking one browser context offline. Every subscriber
// must receive 0..1999 exactly once, in order. The HTTP transports run the same suite with 40 disconnects and
// 800 messages: each of their reconnects takes several requests, and the suite must fit the CI budget.

const BATCH = 20;

for (const transport of TRANSPORTS) {
const DISCONNECTS = transport === 'websocket' ? 100 : 40;
const TOTAL = DISCONNECTS * BATCH;
test(`${transport}: ${DISCONNECTS} forced disconnects while ${TOTAL.toLocaleString('en-US')} numbered messages are published: each subscriber receives every message exactly once, in order`, async ({ browser }) => {
  test.setTimeout(240_000);
  // A publisher this fast would meet the default rate limit; the limit is not the subject here.
  const server = await startServer(['--rate', '100000', '--rate-burst', '100000']);
  const relay = await startProxy(server.port);
  const contexts: BrowserContext[] = [];
  try {
    const channel = unique('stream');
    const ws = `ws://127.0.0.1:${relay.port}`;
    const open = async (sub: string, channels: string[]): Promise<Page> => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await openRecoveryPage(page, server.url, { ws, sub, channels, clientOptions: { transports: [transport] } });
      return page;
    };
    const subscribers = [await open('reader-1', [channel]), await open('reader-2', [channel])];
    const publisher = await open('writer', []);
    const pages = [...subscribers, publisher];

    // The publisher sends 0..TOTAL-1 in order, as far as the test has allowed, with at most 20 unacknowledged.
    await publisher.evaluate(
      ({ name, total }) => {
        const w = window as any;
        w.allowed = 0;
        w.acked = 0;
        w.failures = [];
        let wake = (): void => {};
        const changed = () => new Promise<void>((resolve) => (wake = resolve));
        w.allow = (n: number) => {
          w.allowed = n;
          wake();
        };
        void (async () => {
          for (let n = 0; n < total; n++) {
            while (n >= w.allowed || n - w.acked >= 20) await changed();
            w.rtm.channel(name).publish('n', n).then(
              () => (w.acked++, wake()),
              (error: { code: unknown }) => (w.failures.push(`${n}: ${String(error.code)}`), w.acked++, wake()),
            );
          }
        })();
      },
      { name: channel, total: TOTAL },
    );
    const acked = (): Promise<number> => publisher.evaluate(() => (window as any).acked);
    const metric = async (name: string): Promise<number> => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };

    for (let i = 0; i < DISCONNECTS; i++) {
      // Each disconnect finds every page connected and subscribed.
      await expect.poll(async () => (await Promise.all(pages.map(settled))).every(Boolean), { ...FAST, timeout: 15_000 }).toBe(true);
      const target = BATCH * (i + 1);
      await publisher.evaluate((n) => (window as any).allow(n), target - BATCH / 2);
      await expect.poll(acked, FAST).toBe(target - BATCH / 2);
      if (i % 2 === 0) {
        // The rest of the batch reaches the server and is published, but nothing the server says gets back:
        // the publisher's acknowledgements and the subscribers' events are lost when the relay cuts every link.
        relay.muteDownstream();
        await publisher.evaluate((n) => (window as any).allow(n), target);
        // Over HTTP one POST is in flight at a time: the first reaches the server and its answer is lost, the rest wait behind it.
        if (transport === 'websocket') await expect.poll(() => metric('rtm_broadcasts_total{source="rtc"}'), FAST).toBe(target);
        else await expect.poll(() => metric('rtm_broadcasts_total{source="rtc"}'), FAST).toBeGreaterThan(target - BATCH / 2);
        const before = relay.connections;
        relay.cut();
        // Every page comes back on a new relayed connection before the next cut (a page may still look open for a moment).
        await expect.poll(() => relay.connections, { ...FAST, timeout: 15_000 }).toBeGreaterThanOrEqual(before + pages.length);
      } else {
        // One context goes offline: a subscriber misses the rest of the batch while away; the publisher's waits in its outbox.
        const victim = (i >> 1) % pages.length;
        const context = contexts[victim]!;
        await context.setOffline(true);
        await expect.poll(() => pages[victim]!.evaluate(() => (window as any).rtm.state), FAST).not.toBe('open');
        await publisher.evaluate((n) => (window as any).allow(n), target);
        if (pages[victim] !== publisher) await expect.poll(acked, FAST).toBe(target);
        await context.setOffline(false);
      }
    }
    await publisher.evaluate((n) => (window as any).allow(n), TOTAL);
    await expect.poll(acked, { ...FAST, timeout: 60_000 }).toBe(TOTAL);
    expect(await publisher.evaluate(() => (window as any).failures)).toEqual([]);

    // A last message after all of them: once it is in, anything still to come would be a duplicate.
    await broadcast(server, channel, 'end');
    const expected = [...Array.from({ length: TOTAL }, (_, n) => n), 'end'];
    for (const page of subscribers) {
      await expect.poll(async () => (await received(page, channel)).at(-1), { timeout: 30_000 }).toBe('end');
      const got = await received(page, channel);
      expect(got.length).toBe(expected.length);
      expect(got).toEqual(expected);
      // Every resubscription recovered what it missed: one per relay cut, and per turn of this page offline. A long-polling
      // link may outlive a cut (the browser repeats a broken poll, and gets its batch again), so there only the turns offline count.
      const reports = await recoveries(page);
      const offline = Math.floor(DISCONNECTS / 2 / pages.length);
      expect(reports.length).toBeGreaterThanOrEqual(transport === 'long-poll' ? offline : DISCONNECTS / 2 + offline);
      expect(reports.filter((r) => !r.recovered)).toEqual([]);
    }
    // At each cut the publisher re-sent what it had sent without an acknowledgement (half a batch over a WebSocket, the
    // POST in flight over HTTP); the server published none of them twice.
    expect(await metric('rtm_publish_repeats_total')).toBeGreaterThanOrEqual((DISCONNECTS / 2) * (transport === 'websocket' ? BATCH / 2 : 1));
    expect(await metric('rtm_broadcasts_total{source="rtc"}')).toBe(TOTAL);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await relay.close();
    await server.stop();
  }
});
}
