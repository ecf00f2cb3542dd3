import type { BrowserContext, Page } from '@playwright/test';
import WebSocket from 'ws';

// Tabs of one browser context running the shared-mode bundle (`/dist/rtm-shared.js`) as `window.rtm`, each recording
// the messages of its channels (`got`), its states and recoveries; and the server's own count of its WebSockets.

/** Which mechanism the tab may use: the platform's choice, leader election only (no SharedWorker), or neither. */
export type Platform = 'worker' | 'election' | 'none';

/** What a shared tab connects as and listens to. */
export interface SharedTabOptions {
  sub: string;
  channels: string[];
  platform: Platform;
  /** `shared` option of createClient; default true. */
  shared?: boolean | { workerUrl: string };
}

/** Opens a tab of `base` in `context` whose client shares the connection, and waits until its channels are subscribed. */
export async function openSharedTab(context: BrowserContext, base: string, options: SharedTabOptions): Promise<Page> {
  const page = await context.newPage();
  if (options.platform !== 'worker') {
    // As on Chrome for Android (no SharedWorker), or an old WebView (none of the three).
    await page.addInitScript((none: boolean) => {
      delete (window as any).SharedWorker;
      if (none) {
        delete (window as any).BroadcastChannel;
        Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
      }
    }, options.platform === 'none');
  }
  await page.goto(`${base}/healthz`);
  await page.evaluate(
    async ({ sub, channels, shared }) => {
      const module = '/dist/rtm-shared.js';
      const RTM = await import(module);
      const w = window as any;
      w.got = {};
      w.states = [];
      w.recoveries = [];
      w.errors = [];
      w.received = [];
      w.stop = {};
      const client = RTM.createClient({
        url: `${location.origin.replace('http', 'ws')}/rtc`,
        token: async () => (await (await fetch(`/api/dev/token?sub=${sub}`, { cache: 'no-store' })).json()).token,
        reconnect: { minDelay: 20, maxDelay: 200 },
        shared,
        debug: (event: string, detail: string) => event === 'receive' && w.received.push(detail),
      });
      client.on('state', (c: any) => w.states.push(`${c.previous}>${c.state}:${c.reason}`));
      client.on('recovery', (event: unknown) => w.recoveries.push(event));
      client.on('error', (error: any) => w.errors.push(String(error?.message)));
      for (const name of channels) {
        w.got[name] = [];
        w.stop[name] = client.channel(name).on((payload: unknown) => w.got[name].push(payload));
      }
      w.rtm = client;
      await client.ready();
      await Promise.all(
        channels.map((name: string) => new Promise<void>((resolve) => (client.channel(name).state === 'subscribed' ? resolve() : client.channel(name).onState((s: string) => s === 'subscribed' && resolve())))),
      );
    },
    { sub: options.sub, channels: options.channels, shared: options.shared ?? true },
  );
  return page;
}

/** The mechanism the tab's client reports: `worker`, `election` or false. */
export const sharedMode = (page: Page): Promise<string | false> => page.evaluate(() => (window as any).rtm.shared);

/** Messages the tab received on `channel`, in order. */
export const got = (page: Page, channel: string): Promise<unknown[]> => page.evaluate((name) => (window as any).got[name], channel);

/** Waits until the tab has received `count` messages on `channel`. */
export const waitForCount = (page: Page, channel: string, count: number): Promise<unknown> =>
  page.waitForFunction(([name, n]) => (window as any).got[name as string].length >= (n as number), [channel, count] as const, { timeout: 60_000 });

/** Open RTC WebSockets, as the server counts them (its `rtm_connections` gauge). */
export async function serverConnections(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  // One line per transport (websocket, http-stream, long-poll): all of them are connections.
  return [...text.matchAll(/^rtm_connections\{[^}]*endpoint="rtc"[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The event frames the tab's client received for `channel`. */
export const frames = (page: Page, channel: string): Promise<string[]> =>
  page.evaluate((name) => (window as any).received.filter((frame: string) => JSON.parse(frame).data?.resource?.name === name), channel);

/** Subscriptions the server holds over all connections (its `rtm_subscriptions` gauge). */
export async function serverSubscriptions(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^rtm_subscriptions (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** A plain RTC connection from the test itself, publishing fast and in order: one pipelined batch at a time. */
export async function openPublisher(base: string, sub: string): Promise<{ publish(channel: string, payloads: unknown[]): Promise<void>; close(): void }> {
  const { token } = (await (await fetch(`${base}/api/dev/token?sub=${sub}`)).json()) as { token: string };
  const socket = new WebSocket(`${base.replace('http', 'ws')}/rtc?access_token=${token}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let next = 1;
  const waiting = new Map<number, () => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    // The protocol echoes the whole request message; some servers only its data.
    if (message.type === 'command response') waiting.get((message.data.request.data ?? message.data.request).correlation_id)?.();
  });
  return {
    publish: (channel, payloads) =>
      Promise.all(
        payloads.map((payload) => {
          const id = next++;
          socket.send(JSON.stringify({ type: 'command', data: { command: 'publish', correlation_id: id, arguments: { channel, data: { eventName: 'n', payload } } } }));
          return new Promise<void>((resolve) => waiting.set(id, resolve));
        }),
      ).then(() => undefined),
    close: () => socket.close(),
  };
}
