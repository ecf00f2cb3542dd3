import type { Page } from '@playwright/test';

// A page of the reference server's origin running the SDK bundle (`/dist/rtm.js`) as `window.rtm`: it records every
// message of its channels (`got`), every recovery event, its connection states, token count and debug log.

/** What an SDK page connects to and listens on. */
export interface SdkPageOptions {
  /** WebSocket base (ws://host:port), e.g. a relay; default: the page's own server. */
  ws?: string;
  sub?: string;
  /** Token lifetime in seconds. Default 3600. */
  ttl?: number;
  channels?: string[];
  /** More `createClient` options. */
  clientOptions?: Record<string, unknown>;
}

/** Opens `base` in `page`, connects `window.rtm`, and waits until its channels are subscribed. */
export async function openSdkPage(page: Page, base: string, options: SdkPageOptions = {}): Promise<void> {
  await page.goto(`${base}/healthz`);
  await page.evaluate(
    async ({ ws, sub, ttl, channels, clientOptions }) => {
      const module = '/dist/rtm.js';
      const RTM = await import(module);
      const w = window as any;
      w.got = {};
      w.recoveries = [];
      w.log = [];
      w.states = [];
      w.tokens = 0;
      const client = RTM.createClient({
        url: `${ws ?? location.origin.replace('http', 'ws')}/rtc`,
        token: async () => (await (await fetch(`/api/dev/token?sub=${sub}&ttl=${ttl}`, { cache: 'no-store' })).json()).token,
        debug: (event: string, detail: string) => w.log.push(`${event} ${detail}`),
        ...clientOptions,
      });
      client.on('state', (c: any) => w.states.push(`${c.previous}>${c.state}:${c.reason}`));
      client.on('token', () => w.tokens++);
      client.on('recovery', (event: unknown) => w.recoveries.push(event));
      for (const name of channels) {
        w.got[name] = [];
        client.channel(name).on((payload: unknown) => w.got[name].push(payload));
      }
      w.rtm = client;
      await client.ready();
      await Promise.all(
        channels.map((name: string) => new Promise<void>((resolve) => (client.channel(name).state === 'subscribed' ? resolve() : client.channel(name).onState((s: string) => s === 'subscribed' && resolve())))),
      );
    },
    { ws: options.ws, sub: options.sub ?? 'e2e', ttl: options.ttl ?? 3600, channels: options.channels ?? [], clientOptions: options.clientOptions ?? {} },
  );
}

/** An SDK page for the recovery specs: fast reconnects keep a hundred forced disconnects within seconds (the backoff itself is tested elsewhere). */
export function openRecoveryPage(page: Page, base: string, options: SdkPageOptions & { sub: string }): Promise<void> {
  return openSdkPage(page, base, { ...options, clientOptions: { reconnect: { minDelay: 20, maxDelay: 100 }, ...options.clientOptions } });
}

/** Messages the page received on `channel`, in order. */
export const received = (page: Page, channel: string): Promise<unknown[]> => page.evaluate((name) => (window as any).got[name], channel);

/** Recovery events the page's client reported. */
export const recoveries = (page: Page): Promise<Array<{ resource: { name: string }; recovered: boolean; reason?: string; info?: string }>> =>
  page.evaluate(() => (window as any).recoveries);

/** The page's connection state, and whether each of its channels is subscribed. */
export const settled = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const client = (window as any).rtm;
    return client.state === 'open' && Object.keys((window as any).got).every((name) => client.channel(name).state === 'subscribed');
  });

/** POSTs a REST broadcast and checks it was accepted. */
export async function broadcast(server: { url: string; apiKey: string }, channel: string, payload: unknown): Promise<void> {
  const response = await fetch(`${server.url}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.apiKey },
    body: JSON.stringify({ channel, eventName: 'n', payload }),
  });
  if (response.status !== 200) throw new Error(`broadcast answered ${response.status}`);
}

/** A channel name no other test (or repeat of this one) uses. */
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Every transport: the recovery and exactly-once suites run on each. */
export const TRANSPORTS = ['websocket', 'http-stream', 'long-poll'] as const;

/** Polling intervals for conditions that change within milliseconds. */
export const FAST = { intervals: [10, 20, 50, 100] };
