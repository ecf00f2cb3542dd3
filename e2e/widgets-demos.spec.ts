import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, restBroadcast, settled } from './widgets-page.js';

/** Opens a demo page in a fresh browser context (a separate user) once its Listener is connected and subscribed. */
async function openDemo(browser: Browser, path: string, listener: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base()}${path}`);
  await expect(page.locator(listener)).toHaveAttribute('connected', '');
  await settled(page);
  return page;
}

test('chat demo: a message reaches the other tab in the same room only', async ({ browser }) => {
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => openDemo(browser, '/chat.html', '#chat-listener')));
  await c!.selectOption('#room', 'help');
  await settled(c!);
  const text = `hi ${Date.now()}`;
  await a!.fill('[name=name]', 'Ann');
  await a!.fill('[name=text]', text);
  await a!.click('#chat-form button');
  await expect(b!.locator('#chat-log li')).toContainText([`Ann: ${text}`]);
  await expect(a!.locator('[name=text]')).toHaveValue('');
  // c left the lobby: after a message in its own room arrives, the lobby message has not.
  await c!.fill('[name=name]', 'Cy');
  await c!.fill('[name=text]', 'anyone?');
  await c!.click('#chat-form button');
  await expect(c!.locator('#chat-log li')).toHaveText(['Cy: anyone?']);
  await Promise.all([a, b, c].map((page) => page!.context().close()));
});

test("notifications demo: alice's push shows in alice's tab only, and the browser cannot write to bob", async ({ browser }) => {
  const alice = `alice${Date.now()}`;
  const [a, b] = await Promise.all([openDemo(browser, `/notifications.html?user=${alice}`, '#inbox-listener'), openDemo(browser, '/notifications.html?user=bob', '#inbox-listener')]);
  await restBroadcast(`user:${alice}`, 'note', { title: 'Invoice', text: '#42 was paid' });
  await expect(a.locator('#inbox li')).toHaveText(['#42 was paid']);
  await expect(a.locator('#rtm-notifications [role=status]')).toHaveText('Invoice: #42 was paid');
  await a.click('#send-note');
  await expect(a.locator('#note-result')).toContainText('refused');
  await expect(b.locator('#inbox li')).toHaveCount(0);
  await Promise.all([a.context().close(), b.context().close()]);
});

test('dashboard demo: an order event updates the tiles and refreshes the region in every open dashboard', async ({ browser }) => {
  const [a, b] = await Promise.all([openDemo(browser, '/dashboard.html', '#dashboard-listener'), openDemo(browser, '/dashboard.html', '#dashboard-listener')]);
  await restBroadcast('orders', 'order.created', { id: 2001, customer: 'Barbara', amount: 99, count: 7, revenue: 1234 });
  for (const page of [a, b]) {
    await expect(page.locator('#orders-count')).toHaveText('7');
    await expect(page.locator('#last-order')).toHaveText('Barbara');
    await expect(page.locator('#recent-orders tbody tr').first()).toContainText('2001');
  }
  await a.click('#simulate');
  await expect(b.locator('#orders-count')).toHaveText('8');
  await Promise.all([a.context().close(), b.context().close()]);
});
