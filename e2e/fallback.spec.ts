import { expect, test, type Browser, type Page } from '@playwright/test';
import { startHttpProxy, type HttpProxy } from './http-proxy.js';
import { FAST, openSdkPage, received, unique } from './sdk-page.js';

// Networks that refuse WebSockets: pages reach the suite's server through an HTTP proxy that passes plain HTTP and
// answers every WebSocket upgrade with 403 (or lets upgrades through once told), or one that buffers whole responses.

const base = (): string => process.env.RTM_E2E_URL!;
const port = (): number => Number(new URL(base()).port);
const WAIT = { ...FAST, timeout: 20_000 };
const proxies: HttpProxy[] = [];
test.afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

async function proxy(options: Parameters<typeof startHttpProxy>[1] = {}): Promise<HttpProxy> {
  const started = await startHttpProxy([port()], options);
  proxies.push(started);
  return started;
}

/** The transport of the page's connection: the widgets' one (pageClient) or an SDK page's `window.rtm`. */
const transportOf = (page: Page): Promise<string | undefined> =>
  page.evaluate(async () => ((window as any).rtm ?? (await (window as any).RTM.pageClient())).transport);

async function openDemo(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}/`);
  await expect(page.locator('#hello-listener')).toHaveAttribute('connected', '', { timeout: 20_000 });
  return page;
}

test('the Hello demo works in two pages behind a proxy that refuses every WebSocket upgrade, both ways', async ({ browser }) => {
  const refusing = await proxy();
  const [a, b] = [await openDemo(browser, refusing.url), await openDemo(browser, refusing.url)];
  try {
    for (const page of [a, b]) expect(await transportOf(page)).not.toBe('websocket');
    expect(refusing.upgrades).toBeGreaterThanOrEqual(2);
    const fromA = `hello from A ${Date.now()}`;
    await a.fill('#P10_MESSAGE', fromA);
    await a.click('#SEND_HELLO');
    const fromB = `hello from B ${Date.now()}`;
    await b.fill('#P10_MESSAGE', fromB);
    await b.click('#SEND_HELLO');
    for (const page of [a, b]) {
      await expect(page.locator('#messages li', { hasText: fromA })).toHaveCount(1);
      await expect(page.locator('#messages li', { hasText: fromB })).toHaveCount(1);
    }
  } finally {
    await Promise.all([a.context().close(), b.context().close()]);
  }
});

test('when the proxy starts allowing upgrades the client upgrades, and messages flowing across the switch arrive exactly once, in order', async ({ browser }) => {
  const refusing = await proxy();
  const channel = unique('switch');
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const [switching, steady] = await Promise.all(contexts.map((context) => context.newPage()));
    await openSdkPage(switching!, refusing.url, { ws: refusing.ws, sub: 'switching', channels: [channel], clientOptions: { upgradeInterval: 1_000, reconnect: { minDelay: 20, maxDelay: 100 } } });
    await openSdkPage(steady!, base(), { sub: 'steady', channels: [channel] });
    expect(await transportOf(switching!)).toBe('http-stream');
    // The switching page publishes a numbered stream from before the switch until well after it; the steady page reads it,
    // and the switching page reads its own stream back over both transports.
    await switching!.evaluate((name) => {
      const w = window as any;
      w.transports = [];
      w.rtm.on('transport', (change: { transport: string }) => w.transports.push(change.transport));
      w.sent = 0;
      w.failures = [];
      void (async () => {
        let afterSwitch = 0;
        while (afterSwitch < 50) {
          const n = ++w.sent;
          await w.rtm.channel(name).publish('n', n).catch((error: { code: unknown }) => w.failures.push(`${n}: ${String(error.code)}`));
          if (w.rtm.transport === 'websocket') afterSwitch++;
        }
        w.done = true;
      })();
    }, channel);
    await expect.poll(() => switching!.evaluate(() => (window as any).sent), FAST).toBeGreaterThan(20);
    refusing.allowUpgrades(true);
    await expect.poll(() => switching!.evaluate(() => (window as any).done === true), WAIT).toBe(true);
    expect(await switching!.evaluate(() => (window as any).transports)).toEqual(['websocket']);
    expect(await switching!.evaluate(() => (window as any).failures)).toEqual([]);
    const sent = await switching!.evaluate(() => (window as any).sent as number);
    const expected = Array.from({ length: sent }, (_, i) => i + 1);
    for (const page of [switching!, steady!]) {
      await expect.poll(async () => (await received(page, channel)).length, WAIT).toBe(sent);
      expect(await received(page, channel)).toEqual(expected);
    }
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});

test('behind a proxy that buffers responses and refuses upgrades, the client ends on long-polling and messages cross both ways', async ({ browser }) => {
  const buffering = await proxy({ buffer: true });
  const channel = unique('buffered');
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const [behind, direct] = await Promise.all(contexts.map((context) => context.newPage()));
    await openSdkPage(behind!, buffering.url, { ws: buffering.ws, sub: 'behind', channels: [channel], clientOptions: { connectTimeout: 2_000 } });
    await openSdkPage(direct!, base(), { sub: 'direct', channels: [channel] });
    expect(await transportOf(behind!)).toBe('long-poll');
    await behind!.evaluate((name) => (window as any).rtm.channel(name).publish('n', 'from behind'), channel);
    await direct!.evaluate((name) => (window as any).rtm.channel(name).publish('n', 'from outside'), channel);
    for (const page of [behind!, direct!]) await expect.poll(() => received(page, channel), WAIT).toEqual(['from behind', 'from outside']);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});

test('a page learns its session id on every transport, and a message addressed to it reaches that page alone', async ({ browser }) => {
  const refusing = await proxy();
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const [fallback, other] = await Promise.all(contexts.map((context) => context.newPage()));
    await openSdkPage(fallback!, refusing.url, { ws: refusing.ws, sub: 'same-user' });
    await openSdkPage(other!, base(), { sub: 'same-user' });
    for (const page of [fallback!, other!]) {
      await page.evaluate(() => {
        const w = window as any;
        w.direct = [];
        w.rtm.on('direct', (payload: unknown, meta: { eventName: string; modifier: string }) => w.direct.push([payload, meta.eventName, meta.modifier]));
      });
    }
    await expect.poll(() => fallback!.evaluate(() => (window as any).rtm.session), FAST).toMatch(/^[0-9a-f]{8}\./);
    const id = await fallback!.evaluate(() => (window as any).rtm.session as string);
    const sent = await fetch(`${base()}/api/sessions/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
      body: JSON.stringify({ eventName: 'nudge', payload: { text: 'just you' } }),
    });
    expect(sent.status).toBe(200);
    await expect.poll(() => fallback!.evaluate(() => (window as any).direct), WAIT).toEqual([[{ text: 'just you' }, 'nudge', 'api:default']]);
    // The other page of the same user heard nothing (checked after a message that went to it the same way).
    const otherId = await other!.evaluate(() => (window as any).rtm.session as string);
    await fetch(`${base()}/api/sessions/${encodeURIComponent(otherId)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
      body: JSON.stringify({ eventName: 'nudge', payload: 'other' }),
    });
    await expect.poll(() => other!.evaluate(() => (window as any).direct), WAIT).toEqual([['other', 'nudge', 'api:default']]);
    expect(await fallback!.evaluate(() => (window as any).direct)).toHaveLength(1);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});
