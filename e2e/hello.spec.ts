import { expect, test, type Browser, type Page } from '@playwright/test';

const base = (): string => process.env.RTM_E2E_URL!;

/** Opens the demo in a fresh browser context (its own cookies and storage: a separate user) and waits until it is connected. */
async function openDemo(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base()}/`);
  await expect(page.locator('#hello-listener')).toHaveAttribute('connected', '');
  return page;
}

function broadcastRest(body: unknown, apiKey = process.env.RTM_E2E_API_KEY!): Promise<Response> {
  return fetch(`${base()}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(body),
  });
}

// How fast is a figure, not a test (a loaded machine would fail any time limit): see bench/hello-latency.mjs.
test('Send Hello in page A shows the message in page B, once', async ({ browser }) => {
  const [a, b] = await Promise.all([openDemo(browser), openDemo(browser)]);
  const text = `hello from A ${Date.now()}`;
  await a.fill('#P10_MESSAGE', text);
  await a.click('#SEND_HELLO');
  await expect(b.locator('#messages li', { hasText: text })).toHaveCount(1);
  // The sender is subscribed too, and sees its own message exactly once.
  await expect(a.locator('#messages li', { hasText: text })).toHaveCount(1);
  await Promise.all([a.context().close(), b.context().close()]);
});

test('a REST broadcast with the API key shows in both pages; a wrong key gets 401 and delivers nothing', async ({ browser }) => {
  const [a, b] = await Promise.all([openDemo(browser), openDemo(browser)]);

  const rejected = await broadcastRest({ channel: 'test', eventName: 'ping', payload: { P10_MESSAGE: 'intruder' } }, 'wrong-key');
  expect(rejected.status).toBe(401);
  expect(await rejected.json()).toEqual({ error: { code: 2, info: expect.any(String) } });

  const text = `from the server ${Date.now()}`;
  // The APEX RTM PL/SQL package spells the field event_name; both spellings must work.
  const accepted = await broadcastRest({ channel: 'test', event_name: 'ping', payload: { P10_MESSAGE: text } });
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toMatchObject({ ok: true, channel: 'test', eventName: 'ping' });

  for (const page of [a, b]) await expect(page.locator('#messages li', { hasText: text })).toHaveCount(1);
  // The rejected message arrived nowhere (checked after the accepted one, which travelled the same path later).
  for (const page of [a, b]) await expect(page.locator('#messages li', { hasText: 'intruder' })).toHaveCount(0);
  await Promise.all([a.context().close(), b.context().close()]);
});

test('the Send Hello button is disabled while sending and reports delivery', async ({ browser }) => {
  const page = await openDemo(browser);
  const sent = page.evaluate(
    () => new Promise<unknown>((resolve) => document.getElementById('SEND_HELLO')!.addEventListener('rtm-sent', (e) => resolve((e as CustomEvent).detail), { once: true })),
  );
  await page.click('#SEND_HELLO');
  expect(await sent).toMatchObject({ channel: 'test', event: 'ping' });
  await expect(page.locator('#SEND_HELLO')).toBeEnabled();
  await page.context().close();
});

test('the ESM bundles work from JS: createClient in one page, the widgets JS API in another', async ({ browser }) => {
  const receiver = await (await browser.newContext()).newPage();
  await receiver.goto(`${base()}/healthz`);
  // The widgets bundle imports the client bundle (one copy of the client on the page).
  const received = receiver.evaluate(async () => {
    const { configure, listen } = await import('/dist/rtm-plugins.js' as string);
    const client = configure({ url: '/rtc', tokenUrl: '/api/dev/token?sub=js-receiver' });
    await client.ready();
    const message = new Promise((resolve) => {
      const handle = listen({ channel: 'js-test', event: 'ping', onMessage: (payload: unknown, meta: unknown) => {
        handle.stop();
        resolve({ payload, meta });
      } });
    });
    // The server handles a connection's frames in order: once this ping is answered, the subscribe before it is in place.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await client.request('ping');
    (window as unknown as { ready: boolean }).ready = true;
    return message;
  });
  await receiver.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);

  const sender = await (await browser.newContext()).newPage();
  await sender.goto(`${base()}/healthz`);
  const ack = await sender.evaluate(async () => {
    const { createClient } = await import('/dist/rtm.js' as string);
    const { token } = await (await fetch('/api/dev/token?sub=js-sender')).json();
    const client = createClient({ url: `ws://${location.host}/rtc`, token });
    const ack = await client.channel('js-test').publish('ping', { text: 'from JS' });
    client.close();
    return ack;
  });
  expect(ack).toEqual({});
  expect(await received).toMatchObject({ payload: { text: 'from JS' }, meta: { channel: 'js-test', eventName: 'ping', modifier: 'js-sender' } });
  await Promise.all([receiver.context().close(), sender.context().close()]);
});
