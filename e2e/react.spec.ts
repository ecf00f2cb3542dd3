import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { View } from './fixtures/react-harness.js';
import { unique } from './sdk-page.js';
import { base, restBroadcast } from './widgets-page.js';

// rtm-kit/react in real Chromium against the real server, under React 19's development build in StrictMode (which
// mounts, unmounts and remounts every effect). Subscribes are counted on the page's socket frames.

const HARNESS = fileURLToPath(new URL('./fixtures/react-harness.tsx', import.meta.url));
let harnessCode: Promise<string> | undefined;
/** The harness bundle, built once per worker: React's development build, so StrictMode double-invokes effects. */
const harnessBundle = (): Promise<string> =>
  (harnessCode ??= build({
    entryPoints: [HARNESS],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text));

interface Sent {
  command: string;
  name?: string;
}

/** A harness page: every command its sockets sent, and how many sockets it opened and closed. */
interface ReactPage {
  page: Page;
  sent: Sent[];
  sockets: { opened: number; closed: number };
  /** The subscribe (or unsubscribe) commands sent for `name`. */
  count(command: 'subscribe' | 'unsubscribe', name: string): number;
}

async function openHarness(pageOf: () => Promise<Page>, mode: 'client' | 'options' = 'client'): Promise<ReactPage> {
  const page = await pageOf();
  const sent: Sent[] = [];
  const sockets = { opened: 0, closed: 0 };
  page.on('pageerror', (error) => console.error('[page error]', error));
  page.on('websocket', (socket) => {
    sockets.opened++;
    socket.on('close', () => sockets.closed++);
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type === 'command') sent.push({ command: message.data.command, name: message.data.arguments?.resource?.name });
    });
  });
  await page.goto(`${base()}/healthz`);
  await page.addScriptTag({ content: await harnessBundle() });
  await page.evaluate(([mode, sub]) => window.harness.start(mode, sub), [mode, unique('react')] as const);
  return { page, sent, sockets, count: (command, name) => sent.filter((frame) => frame.command === command && frame.name === name).length };
}

// The page-side harness, typed for page.evaluate callbacks.
declare global {
  interface Window {
    harness: {
      client: { state: string; ready(): Promise<void>; request(command: string): Promise<unknown>; stats(): Record<string, number> } | null;
      received: Record<string, unknown[]>;
      publishers: Record<string, { publish(eventName: string | null, payload: unknown): Promise<unknown> }>;
      bump: Record<string, (count: number) => void>;
      start(mode: 'client' | 'options', sub: string): void;
      set(views: View[]): Promise<void>;
      unmount(): Promise<void>;
    };
  }
}

/** Renders `views` and waits until the server has handled every command sent so far (it answers in order). */
async function show(rp: ReactPage, views: View[]): Promise<void> {
  await rp.page.evaluate(async (next) => {
    await window.harness.set(next);
    const client = window.harness.client!;
    await client.ready();
    await client.request('ping');
  }, views);
}

const received = (rp: ReactPage, id: string): Promise<unknown[]> => rp.page.evaluate((key) => window.harness.received[key] ?? [], id);
const stats = (rp: ReactPage): Promise<Record<string, number>> => rp.page.evaluate(() => window.harness.client!.stats());

/** Broadcasts `payloads` in order, then one `end` marker, and waits until view `id` got the marker. */
async function deliver(rp: ReactPage, channel: string, payloads: unknown[], id: string): Promise<void> {
  for (const payload of payloads) await restBroadcast(channel, 'message', payload);
  const marker = { end: unique('end') };
  await restBroadcast(channel, 'end', marker);
  await expect.poll(async () => (await received(rp, id)).some((entry) => JSON.stringify(entry).includes(marker.end))).toBe(true);
}

test.describe('rtm-kit/react in StrictMode', () => {
  test('one subscribe per channel however often components mount, unmount and remount; each message reaches each listener once', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const [one, two] = [unique('room'), unique('room')];
    await show(rp, [
      { kind: 'channel', id: 'a', channel: one },
      { kind: 'channel', id: 'b', channel: one },
      { kind: 'channel', id: 'c', channel: two },
    ]);
    expect(rp.count('subscribe', one)).toBe(1);
    expect(rp.count('subscribe', two)).toBe(1);

    // Remount a and c's siblings over and over while b and c hold their channels.
    for (let round = 0; round < 5; round++) {
      await show(rp, [{ kind: 'channel', id: 'b', channel: one }, { kind: 'channel', id: 'c', channel: two }]);
      await show(rp, [
        { kind: 'channel', id: `a${round}`, channel: one },
        { kind: 'channel', id: 'b', channel: one },
        { kind: 'channel', id: 'c', channel: two },
        { kind: 'messages', id: `m${round}`, channel: two },
      ]);
    }
    expect(rp.count('subscribe', one)).toBe(1);
    expect(rp.count('subscribe', two)).toBe(1);
    expect(rp.count('unsubscribe', one) + rp.count('unsubscribe', two)).toBe(0);
    expect(await stats(rp)).toMatchObject({ subscriptions: 2, listeners: 4 });

    await deliver(rp, one, [1, 2, 3], 'b');
    const messages = [1, 2, 3].map((payload) => ({ channel: one, eventName: 'message', payload }));
    expect((await received(rp, 'b')).slice(0, 3)).toEqual(messages);
    await expect.poll(async () => (await received(rp, 'a4')).length).toBe(4);
    expect((await received(rp, 'a4')).slice(0, 3)).toEqual(messages);
    expect(await received(rp, 'c')).toEqual([]);
    await rp.page.context().close();
  });

  test('the handler sees current state, not the state of the render that subscribed', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const channel = unique('room');
    await show(rp, [{ kind: 'counter', id: 'counter', channel }]);
    for (const count of [1, 2, 3]) {
      await rp.page.evaluate((next) => window.harness.bump.counter!(next), count);
      await expect(rp.page.locator('#counter')).toHaveText(String(count));
      await deliver(rp, channel, [`at ${count}`], 'counter');
    }
    const got = (await received(rp, 'counter')).filter((entry) => typeof (entry as { payload: unknown }).payload === 'string');
    expect(got).toEqual([1, 2, 3].map((count) => ({ count, payload: `at ${count}` })));
    // A new handler identity on every render did not resubscribe.
    expect(rp.count('subscribe', channel)).toBe(1);
    await rp.page.context().close();
  });

  test('changing the channel prop moves the subscription, with no duplicate and no stray delivery', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const [one, two] = [unique('room'), unique('room')];
    await show(rp, [{ kind: 'channel', id: 'x', channel: one }, { kind: 'messages', id: 'list', channel: one }]);
    await deliver(rp, one, ['first'], 'x');
    await show(rp, [{ kind: 'channel', id: 'x', channel: two }, { kind: 'messages', id: 'list', channel: two }]);
    expect(rp.count('unsubscribe', one)).toBe(1);
    expect(rp.count('subscribe', two)).toBe(1);
    await restBroadcast(one, 'message', 'stray');
    await deliver(rp, two, ['second'], 'x');
    const got = (await received(rp, 'x')) as Array<{ channel: string; eventName: string; payload: unknown }>;
    expect(got.filter((entry) => entry.eventName !== 'end')).toEqual([
      { channel: one, eventName: 'message', payload: 'first' },
      { channel: two, eventName: 'message', payload: 'second' },
    ]);
    // The list started over for the new channel.
    await expect(rp.page.locator('#list li')).toHaveText([JSON.stringify(['message', 'second', two]), /"end"/]);
    // Back and forth: still one subscription per channel, one listener each.
    await show(rp, [{ kind: 'channel', id: 'x', channel: one }, { kind: 'messages', id: 'list', channel: two }]);
    expect(await stats(rp)).toMatchObject({ subscriptions: 2, listeners: 2 });
    await rp.page.context().close();
  });

  test('unmounting everything leaves the client with no listener and no subscription', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const [channel, orders] = [unique('room'), unique('orders')];
    await show(rp, [
      { kind: 'channel', id: 'a', channel },
      { kind: 'channel', id: 'typing', channel, eventName: 'typing' },
      { kind: 'counter', id: 'counter', channel },
      { kind: 'messages', id: 'list', channel, limit: 2 },
      { kind: 'publish', id: 'pub', channel },
      { kind: 'state', id: 'state', channel },
      { kind: 'resource', id: 'orders', type: 'ds', name: orders, actions: ['created'] },
    ]);
    expect(await stats(rp)).toMatchObject({ subscriptions: 2, listeners: 5 });
    await show(rp, []);
    expect(await stats(rp)).toEqual({ subscriptions: 0, listeners: 0, pending: 0, queued: 0, timers: expect.any(Number) });
    expect(rp.count('unsubscribe', channel)).toBe(1);
    expect(rp.count('unsubscribe', orders)).toBe(1);
    await rp.page.context().close();
  });
});

test.describe('rtm-kit/react hooks', () => {
  test('RtmProvider with options opens one socket in StrictMode and closes it on unmount', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage(), 'options');
    const channel = unique('room');
    await show(rp, [{ kind: 'state', id: 'state', channel }, { kind: 'channel', id: 'a', channel }]);
    await expect(rp.page.locator('#state')).toHaveAttribute('data-connection', 'open');
    await expect(rp.page.locator('#state')).toHaveAttribute('data-state', 'subscribed');
    expect(rp.sockets.opened).toBe(1);
    expect(rp.count('subscribe', channel)).toBe(1);
    await rp.page.evaluate(() => window.harness.unmount());
    expect(await rp.page.evaluate(() => window.harness.client!.state)).toBe('closed');
    await expect.poll(() => rp.sockets.closed).toBe(1);
    await rp.page.context().close();
  });

  test('useChannelMessages keeps the last N of an event, oldest first, with eventName and meta', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const channel = unique('room');
    await show(rp, [{ kind: 'messages', id: 'list', channel, eventName: 'message', limit: 3 }, { kind: 'channel', id: 'all', channel }]);
    await deliver(rp, channel, [1, 2, 3, 4, 5], 'all');
    // The `end` marker is another event: filtered out.
    await expect(rp.page.locator('#list li')).toHaveText([3, 4, 5].map((n) => JSON.stringify(['message', n, channel])));
    await rp.page.context().close();
  });

  test('usePublish: publishes, shows pending, and an error the server gave; failures are never unhandled', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const channel = unique('room');
    const unhandled: string[] = [];
    rp.page.on('console', (message) => void (/Uncaught \(in promise\)/.test(message.text()) && unhandled.push(message.text())));
    await show(rp, [{ kind: 'publish', id: 'pub', channel }, { kind: 'channel', id: 'got', channel }, { kind: 'publish', id: 'private', channel: 'user:somebody-else' }]);
    const response = await rp.page.evaluate(() => window.harness.publishers.pub!.publish('message', { text: 'hi' }));
    expect(response).toBeDefined();
    await expect(rp.page.locator('#pub')).toHaveAttribute('data-pending', 'false');
    // Every pending value the component rendered with, repeats collapsed (StrictMode runs the first effect twice).
    const seen = ((await received(rp, 'pub:pending')) as boolean[]).filter((value, index, all) => value !== all[index - 1]);
    expect(seen).toEqual([false, true, false]);
    await expect.poll(() => received(rp, 'got')).toEqual([{ channel, eventName: 'message', payload: { text: 'hi' } }]);

    // Fire and forget a publish the server refuses: the hook shows the error, nothing goes unhandled.
    await rp.page.evaluate(() => void window.harness.publishers.private!.publish('note', 'hello'));
    await expect(rp.page.locator('#private')).toHaveAttribute('data-error', '2');
    await expect(rp.page.locator('#private')).toHaveAttribute('data-pending', 'false');
    const refused = await rp.page.evaluate(() => window.harness.publishers.private!.publish('note', 'again').then(() => 'sent', (error) => `${error.name} ${error.code}`));
    expect(refused).toBe('RtmError 2');
    expect(unhandled).toEqual([]);
    await rp.page.context().close();
  });

  test('useSubscriptionState: subscribed, or failed with the refusal; recovery reports after a reconnect', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const channel = unique('room');
    await show(rp, [
      { kind: 'state', id: 'ok', channel },
      { kind: 'channel', id: 'a', channel },
      { kind: 'state', id: 'refused', channel: 'user:somebody-else' },
      { kind: 'channel', id: 'b', channel: 'user:somebody-else' },
      { kind: 'state', id: 'idle', channel: unique('room') },
    ]);
    await expect(rp.page.locator('#ok')).toHaveAttribute('data-state', 'subscribed');
    await expect(rp.page.locator('#refused')).toHaveAttribute('data-state', 'failed');
    await expect(rp.page.locator('#refused')).toHaveAttribute('data-error', '2');
    await expect(rp.page.locator('#idle')).toHaveAttribute('data-state', 'unsubscribed');
    expect(await rp.page.locator('#ok').getAttribute('data-recovery')).toBe('');

    // The network goes and comes back: the subscription is sent again, and the hook shows its recovery report.
    const before = (await received(rp, 'ok:states')).length;
    await rp.page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await rp.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect(rp.page.locator('#ok')).toHaveAttribute('data-recovery', JSON.stringify({ recovered: true }));
    await expect(rp.page.locator('#ok')).toHaveAttribute('data-state', 'subscribed');
    // Every state in between was rendered: the link went down, the subscription waited, and came back.
    const states = (await received(rp, 'ok:states')).slice(before);
    expect(states).toContain('reconnecting subscribing');
    expect(states.at(-1)).toBe('open subscribed');
    await rp.page.context().close();
  });

  test('useResource hears the actions it asked for', async ({ browser }) => {
    const rp = await openHarness(async () => (await browser.newContext()).newPage());
    const orders = unique('orders');
    await show(rp, [
      { kind: 'resource', id: 'created', type: 'ds', name: orders, actions: ['created'] },
      { kind: 'resource', id: 'all', type: 'ds', name: orders },
    ]);
    const event = async (action: string, data: unknown): Promise<void> => {
      const response = await fetch(`${base()}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
        body: JSON.stringify({ resource: { type: 'ds', name: orders }, action, data }),
      });
      expect(response.status).toBe(200);
    };
    const id = unique('order');
    await event('updated', [{ id }]);
    await event('created', [{ id }]);
    await expect.poll(() => received(rp, 'all')).toEqual([
      { action: 'updated', data: [{ id }] },
      { action: 'created', data: [{ id }] },
    ]);
    await expect.poll(() => received(rp, 'created')).toEqual([{ action: 'created', data: [{ id }] }]);
    await rp.page.context().close();
  });
});

test('useChannel with a filter hears only the matching messages; an inline filter does not resubscribe', async ({ browser }) => {
  const rp = await openHarness(async () => (await browser.newContext()).newPage());
  const channel = unique('room');
  const views = (): View[] => [
    { kind: 'channel', id: 'all', channel },
    { kind: 'channel', id: 'two', channel, filter: { 'payload.n': 2 } as never },
  ];
  await show(rp, views());
  await show(rp, views());
  const subscribes = rp.count('subscribe', channel);
  for (const n of [1, 2, 3]) await restBroadcast(channel, 'message', { n });
  await expect.poll(async () => (await received(rp, 'all')).length).toBe(3);
  await expect.poll(async () => (await received(rp, 'two')).map((entry) => (entry as { payload: unknown }).payload)).toEqual([{ n: 2 }]);
  // A new filter object with the same content on every render: no new subscribe.
  await show(rp, views());
  expect(rp.count('subscribe', channel)).toBe(subscribes);
  await rp.page.context().close();
});

test('React chat demo: a message reaches the other tab in the same room only, and the HTML chat room too', async ({ browser }) => {
  const open = async (path: string): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => console.error('[page error]', error));
    await page.goto(`${base()}${path}`);
    return page;
  };
  // The demo's rooms are shared with anyone else using them: look for this test's own lines only.
  const line = (page: Page, text: string) => page.locator('#chat-log li', { hasText: text });
  const say = async (page: Page, name: string, text: string): Promise<void> => {
    await page.fill('[name=name]', name);
    await page.fill('[name=text]', text);
    await page.click('#chat-form button');
  };
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => open('/react-chat.html')));
  for (const page of [a, b, c]) await expect(page!.locator('#react-status')).toHaveAttribute('data-subscription', 'subscribed');
  await c!.selectOption('#room', 'help');
  await expect(c!.locator('#react-status')).toHaveAttribute('data-subscription', 'subscribed');
  const [lobby, help, fromHtml] = [unique('lobby'), unique('help'), unique('html')];
  await say(a!, 'Ann', lobby);
  await expect(line(b!, lobby)).toHaveText([`Ann: ${lobby}`]);
  await expect(line(a!, lobby)).toHaveCount(1);
  await expect(a!.locator('[name=text]')).toHaveValue('');
  // c left the lobby: after a message in its own room arrives, the lobby message has not.
  await say(c!, 'Cy', help);
  await expect(line(c!, help)).toHaveText([`Cy: ${help}`]);
  await expect(line(c!, lobby)).toHaveCount(0);
  await expect(line(b!, help)).toHaveCount(0);
  // The HTML chat room's lobby is the same channel.
  const html = await open('/chat.html');
  await expect(html.locator('#chat-listener')).toHaveAttribute('connected', '');
  await say(html, 'Hal', fromHtml);
  await expect(line(b!, fromHtml)).toHaveText([`Hal: ${fromHtml}`]);
  await expect(line(html, fromHtml)).toHaveCount(1);
  await Promise.all([a, b, c, html].map((page) => page!.context().close()));
});
