import type { Browser, Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

/** The reference server the suite runs against. */
export const base = (): string => process.env.RTM_E2E_URL!;

const STANDIN = fileURLToPath(new URL('./fixtures/apex-standin.js', import.meta.url));

/** A test page and the WebSocket URLs it opened. */
export interface WidgetPage {
  page: Page;
  sockets: string[];
}

/**
 * Opens `body` as a page of the server's own origin (so it may open a local
 * WebSocket), in a fresh browser context (its own user), with the script-tag
 * bundle loaded (unless `bundle` is false), and with the APEX stand-in first when `apexUser` is given.
 */
export async function openWidgetPage(browser: Browser, body: string, options: { apexUser?: string; bundle?: boolean } = {}): Promise<WidgetPage> {
  // The test page's own inline scripts stand in for an app's page, whose CSP is the app's business, not the demo page's.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  page.on('pageerror', (error) => console.error('[page error]', error));
  // A same-origin HTML document that runs no script of its own: the demo page with its script blocked.
  await page.route('**/dist/rtm.iife.min.js', (route) => route.abort());
  await page.goto(`${base()}/`);
  await page.unrouteAll();
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><title>widgets</title></head><body>${body}</body></html>`);
  if (options.apexUser !== undefined) {
    await page.addScriptTag({ path: STANDIN });
    await page.evaluate((user) => ((window as unknown as { apexStandin: { appUser: string } }).apexStandin.appUser = user), options.apexUser);
  }
  if (options.bundle !== false) await page.addScriptTag({ url: '/dist/rtm.iife.min.js' });
  return { page, sockets };
}

/**
 * Waits until the page is connected and every command it has sent so far
 * (its subscriptions included) has been handled: the server answers in
 * order, so a `ping` answered means the subscribes before it are done.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const client = await RTM.pageClient();
    await client.ready();
    await client.request('ping');
  });
}

/** Pushes a message through the REST API, as a backend (or the APEX database) would. */
export async function restBroadcast(channel: string, eventName: string | null, payload: unknown): Promise<void> {
  const response = await fetch(`${base()}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
    body: JSON.stringify({ channel, eventName, payload }),
  });
  if (!response.ok) throw new Error(`broadcast answered ${response.status}: ${await response.text()}`);
}

/** The APEX stand-in's API (e2e/fixtures/apex-standin.js). */
type Standin = { dynamicAction(def: unknown): void };

/** Defines the page's dynamic actions inside the page; `defs` gets RTM and a log array. */
export async function defineDAs(page: Page, channel: string, defs: string): Promise<void> {
  await page.evaluate(
    ({ channel, defs }) => {
      const { dynamicAction } = (window as unknown as { apexStandin: Standin }).apexStandin;
      const log: string[] = ((window as unknown as { log: string[] }).log = []);
      new Function('dynamicAction', 'RTM', 'log', 'channel', defs)(dynamicAction, RTM, log, channel);
    },
    { channel, defs },
  );
}

export const pageLog = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { log: string[] }).log);

/** A unique name per test run, so parallel tests never share channels. */
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

declare global {
  /** The APEX stand-in's namespace (e2e/fixtures/apex-standin.js). */
  const apex: { event: { trigger(target: EventTarget | string, name: string, data?: unknown): boolean } };
}
