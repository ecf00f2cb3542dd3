import { expect, test, type Page } from '@playwright/test';
import { openWidgetPage, restBroadcast, settled, unique } from './widgets-page.js';

// A dashboard that shows one customer's orders should not download every order: with a server-side filter,
// only that customer's events cross the wire. Counted on the socket itself, as the browser received them.

/** Counts the event frames each socket of `page` receives, from now on. */
function countEventFrames(page: Page): { events: () => number; payloads: unknown[] } {
  const payloads: unknown[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; data: { data: { payload: unknown } } };
      if (message.type === 'event') payloads.push(message.data.data.payload);
    }),
  );
  return { events: () => payloads.length, payloads };
}

const connection = '<rtm-connection url="/rtc" token-url="/api/dev/token"></rtm-connection>';

/** Publishes 20 orders, 2 of them for customer 42, then one more for 42 that marks the end. */
async function publishOrders(channel: string): Promise<void> {
  for (let n = 1; n <= 20; n++) await restBroadcast(channel, 'order', { id: n, customer: n % 10 === 0 ? 42 : n % 10 });
  await restBroadcast(channel, 'order', { id: 'last', customer: 42 });
}

test('an SDK dashboard filtering one customer receives only that customer’s frames; an unfiltered one gets all', async ({ browser }) => {
  const channel = unique('orders');
  const pages = await Promise.all([openWidgetPage(browser, '<ul id="shown"></ul>'), openWidgetPage(browser, '<ul id="shown"></ul>')]);
  const [filtered, everything] = pages.map(({ page }) => countEventFrames(page));
  for (const [i, { page }] of pages.entries()) {
    await page.evaluate(
      async ({ connection, channel, filter }) => {
        document.body.insertAdjacentHTML('beforeend', connection);
        const client = await RTM.pageClient();
        const shown = ((window as any).shown = [] as unknown[]);
        client.channel(channel).on('order', (payload: any) => shown.push(payload.id), filter ? { filter: { 'payload.customer': 42 } } : undefined);
      },
      { connection, channel, filter: i === 0 },
    );
    await settled(page);
  }
  await publishOrders(channel);
  const shown = (page: Page) => page.evaluate(() => (window as any).shown);
  await expect.poll(() => shown(pages[0]!.page)).toEqual([10, 20, 'last']);
  await expect.poll(() => shown(pages[1]!.page)).toHaveLength(21);
  // Frames are in order: once 'last' is shown, every frame before it has arrived.
  expect(filtered!.events()).toBe(3);
  expect(filtered!.payloads).toEqual([
    { id: 10, customer: 42 },
    { id: 20, customer: 42 },
    { id: 'last', customer: 42 },
  ]);
  expect(everything!.events()).toBe(21);
  await Promise.all(pages.map(({ page }) => page.context().close()));
});

test('a Listener widget’s where becomes a server filter: the page receives only the matching frames', async ({ browser }) => {
  const channel = unique('orders');
  const { page } = await openWidgetPage(browser, '<ul id="orders"></ul>');
  const frames = countEventFrames(page);
  await page.evaluate(
    ({ connection, channel }) =>
      document.body.insertAdjacentHTML('beforeend', `${connection}<rtm-listener channel="${channel}" event="order" where="customer=42" set="#orders=payload.id" append></rtm-listener>`),
    { connection, channel },
  );
  await settled(page);
  await publishOrders(channel);
  await expect(page.locator('#orders li')).toHaveText(['10', '20', 'last']);
  expect(frames.events()).toBe(3);
  await page.context().close();
});
