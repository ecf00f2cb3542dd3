import { expect, test } from '@playwright/test';
import { base, openWidgetPage, unique } from './widgets-page.js';

// Client defects a review found that only the reference server's semantics show.

test('stopping some action sets on a resource leaves the remaining listener its events', async ({ browser }) => {
  const name = unique('orders');
  const { page } = await openWidgetPage(browser, '');
  await page.evaluate(async (name) => {
    const got: string[] = ((window as unknown as { got: string[] }).got = []);
    const client = RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token' });
    const orders = client.resource('ds', name);
    // Two action sets, so two subscriptions on the client and one action set per resource on the server.
    orders.on('created', (event) => void got.push(`created-only ${event.action}`));
    const stopAll = orders.on('all', (event) => void got.push(`all ${event.action}`));
    const stopSome = orders.on(['created', 'updated'], (event) => void got.push(`some ${event.action}`));
    await client.ready();
    await client.request('ping');
    stopAll();
    stopSome();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await client.request('ping');
  }, name);
  const response = await fetch(`${base()}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
    body: JSON.stringify({ resource: { type: 'ds', name }, action: 'created', data: [{ id: 1 }] }),
  });
  expect(response.status).toBe(200);
  await expect.poll(() => page.evaluate(() => (window as unknown as { got: string[] }).got)).toEqual(['created-only created']);
  await page.context().close();
});
