import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSdkPage, received } from './sdk-page.js';
import { startServer, type ServerProcess } from './server.js';

const states = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).states);
const errors = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).errors);

// A developer restarts `rtm-server` (no secret configured: development mode) while two tabs are open. Neither tab
// may die: the server keeps its generated keys across the restart, and a page whose token is refused anyway
// (a token function) fetches a fresh one. What one page sends during the restart reaches the other page once.
test('restarting the development server: both pages reconnect by themselves, and a message sent during the restart arrives once', async ({ browser }) => {
  const dir = mkdtempSync(join(tmpdir(), 'rtm-dev-restart-'));
  const devKeys = join(dir, 'keys.json');
  let server: ServerProcess = await startServer([], { devKeys });
  const [sender, listener] = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const channel = `restart-${Date.now()}`;
    const a = await sender.newPage();
    const b = await listener.newPage();
    // Page A fetches tokens with a function; page B was handed one fixed token, which only a kept secret keeps valid.
    const { token } = (await (await fetch(`${server.url}/api/dev/token?sub=bob`)).json()) as { token: string };
    await openSdkPage(a, server.url, { sub: 'alice', channels: [channel], clientOptions: { reconnect: { minDelay: 50, maxDelay: 200 } } });
    await openSdkPage(b, server.url, { sub: 'bob', channels: [channel], clientOptions: { token, reconnect: { minDelay: 50, maxDelay: 200 } } });
    for (const page of [a, b]) await page.evaluate(() => ((window as any).errors = [], (window as any).rtm.on('error', (e: any) => (window as any).errors.push(String(e.code)))));
    const firstSecret = server.secret;

    // A goes offline just before the server stops, so that it comes back only after B has resubscribed: without
    // persistent history, a message published before B is back would be lost to B, whatever the client does.
    await sender.setOffline(true);
    await server.stop();
    const sent = a.evaluate((name) => (window as any).rtm.channel(name).publish('m', 'sent during the restart'), channel);
    server = await startServer([], { port: server.port, devKeys });
    expect(server.secret).toBe(firstSecret);

    await expect.poll(async () => (await states(b)).at(-1), { timeout: 15_000 }).toMatch(/>open:open$/);
    await expect.poll(() => b.evaluate((name) => (window as any).rtm.channel(name).state, channel), { timeout: 15_000 }).toBe('subscribed');
    expect((await states(a)).at(-1)).not.toMatch(/>open:/);
    await sender.setOffline(false);

    expect(await sent).toEqual({});
    // A later message closes the window in which a duplicate of the first could still arrive (publishes keep their order).
    await a.evaluate((name) => (window as any).rtm.channel(name).publish('m', 'after'), channel);
    for (const page of [a, b]) await expect.poll(() => received(page, channel), { timeout: 15_000 }).toEqual(['sent during the restart', 'after']);
    for (const page of [a, b]) {
      expect(await page.evaluate(() => (window as any).rtm.state)).toBe('open');
      expect(await errors(page)).not.toContain('unauthorized');
    }
  } finally {
    await Promise.all([sender.close(), listener.close()]);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
