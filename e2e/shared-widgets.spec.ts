import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { broadcast } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';
import { serverConnections } from './shared-tabs.js';

// The shared mode from a script tag: rtm-shared.iife.min.js, with <rtm-connection shared> or RTM.configure({ shared: true }).

let server: ServerProcess;
test.beforeEach(async () => {
  server = await startServer();
});
test.afterEach(async () => {
  await server?.stop();
});

/**
 * Opens a page of the server's own origin (the demo page, its script blocked) whose document becomes `body` and a
 * <script> tag of `bundle`, as a page author writes it.
 */
async function openPage(context: BrowserContext, body: string, bundle = 'rtm-shared.iife.min.js'): Promise<Page> {
  const page = await context.newPage();
  await page.route('**/dist/rtm.iife.min.js', (route) => route.abort());
  await page.goto(`${server.url}/`);
  await page.unrouteAll();
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><title>shared</title></head><body>${body}<script src="/dist/${bundle}"></script></body></html>`);
  await page.waitForFunction(() => (window as any).RTM !== undefined);
  return page;
}

test('<rtm-connection shared>: three tabs of the script-tag bundle hold one connection through the SharedWorker, and each listener gets every message', async ({ browser }) => {
  const context = await browser.newContext();
  const tabs = [];
  for (let i = 0; i < 3; i++) {
    const page = await openPage(
      context,
      '<rtm-connection shared url="/rtc" token-url="/api/dev/token?sub=widgets"></rtm-connection><rtm-listener channel="board" set="#log=payload.text" append></rtm-listener><ul id="log"></ul>',
    );
    await expect(page.locator('rtm-listener')).toHaveAttribute('connected');
    tabs.push(page);
  }
  for (const page of tabs) expect(await page.evaluate(async () => (await (window as any).RTM.pageClient()).shared)).toBe('worker');
  expect(await serverConnections(server.url)).toBe(1);
  await broadcast(server, 'board', { text: 'one' });
  await broadcast(server, 'board', { text: 'two' });
  for (const page of tabs) await expect(page.locator('#log li')).toHaveText(['one', 'two']);
  await context.close();
});

test('RTM.configure({ shared: true }) without SharedWorker: the tabs elect a leader, one connection, and a publish reaches every tab once', async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => delete (window as any).SharedWorker);
  const tabs = [];
  for (let i = 0; i < 3; i++) {
    const page = await openPage(context, '');
    await page.evaluate(async () => {
      const w = window as any;
      w.got = [];
      const client = w.RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token?sub=configured', shared: true });
      const chat = client.channel('chat');
      chat.on((payload: unknown) => w.got.push(payload));
      await client.ready();
      await new Promise<void>((resolve) => (chat.state === 'subscribed' ? resolve() : chat.onState((s: string) => s === 'subscribed' && resolve())));
    });
    tabs.push(page);
  }
  for (const page of tabs) expect(await page.evaluate(() => (window as any).RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token?sub=configured', shared: true }).shared)).toBe('election');
  expect(await serverConnections(server.url)).toBe(1);
  await tabs[2]!.evaluate(() => (window as any).RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token?sub=configured', shared: true }).channel('chat').publish('m', 'hi'));
  for (const page of tabs) await page.waitForFunction(() => (window as any).got.length === 1);
  await tabs[2]!.evaluate(() => (window as any).RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token?sub=configured', shared: true }).channel('chat').publish('m', 'again'));
  for (const page of tabs) await page.waitForFunction(() => (window as any).got.length === 2);
  for (const page of tabs) expect(await page.evaluate(() => (window as any).got)).toEqual(['hi', 'again']);
  await context.close();
});

test('the plain script-tag bundle says how to get the shared mode instead of ignoring shared: true', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await openPage(context, '', 'rtm.iife.min.js');
  const error = await page.evaluate(() => {
    try {
      (window as any).RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token', shared: true });
      return undefined;
    } catch (error) {
      return { code: (error as any).code, message: String((error as Error).message) };
    }
  });
  expect(error).toEqual({ code: 'bad_argument', message: expect.stringContaining('rtm-shared.iife.min.js') });
  await context.close();
});
