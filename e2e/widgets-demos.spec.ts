import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, settled } from './widgets-page.js';

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
  const pushed = await fetch(`${base()}/api/users/${alice}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
    body: JSON.stringify({ eventName: 'note', payload: { title: 'Invoice', text: '#42 was paid' } }),
  });
  expect(pushed.status).toBe(200);
  await expect(a.locator('#inbox li')).toHaveText(['#42 was paid']);
  await expect(a.locator('#rtm-notifications [role=status]')).toHaveText('Invoice: #42 was paid');
  await a.click('#send-note');
  await expect(a.locator('#note-result')).toContainText('refused');
  await expect(b.locator('#inbox li')).toHaveCount(0);
  await Promise.all([a.context().close(), b.context().close()]);
});

test('dashboard demo: resource events refresh the Orders region in every open dashboard', async ({ browser }) => {
  const [a, b] = await Promise.all([openDemo(browser, '/dashboard.html', '#dashboard-listener'), openDemo(browser, '/dashboard.html', '#dashboard-listener')]);
  const event = async (action: string, data: unknown): Promise<void> => {
    const response = await fetch(`${base()}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
      body: JSON.stringify({ resource: { type: 'ds', name: 'orders' }, action, data }),
    });
    expect(response.status).toBe(200);
  };
  await event('created', [{ id: 2001, customer: 'Barbara', amount: 99, status: 'new' }]);
  await event('created', [{ id: 2002, customer: 'Edsger', amount: 1, status: 'new' }]);
  await event('updated', [{ id: 2001, status: 'paid' }]);
  await event('deleted', [{ id: 2002 }]);
  for (const page of [a, b]) {
    // The last event first: until it has arrived, one row is also what the page shows after the first event alone.
    await expect(page.locator('#last-change')).toHaveText('deleted by api:default');
    await expect(page.locator('#orders tbody tr')).toHaveCount(1);
    await expect(page.locator('#orders tbody tr')).toContainText('Barbara');
    await expect(page.locator('#orders tbody tr')).toContainText('paid');
    await expect(page.locator('#orders-count')).toHaveText('1');
    await expect(page.locator('#revenue')).toHaveText('99');
    await expect(page.locator('#rtm-notifications [role=status]').last()).toHaveText('Order 2002 deleted');
  }
  await Promise.all([a.context().close(), b.context().close()]);
});
