// Section 2: messages per second a Chromium page takes off the wire and hands
// to a channel listener. Each cycle blocks the page's main thread while the
// server sends a burst, so the burst waits in the socket buffers; the page
// then drains it and the drain rate is the receive path's own speed, not the
// server's. Pages are served from http://127.0.0.1 (the servers' origins).
import { chromium } from '@playwright/test';
import { findChromium } from '../../scripts/browser.mjs';
import { startProcess, sleep } from '../lib/proc.mjs';
import { median, ratio, round } from '../lib/stats.mjs';
import { openRtc, openSocketIo } from '../lib/wire.mjs';

/** The launch arguments of playwright.config.ts, so the bench runs the browser the e2e suite runs. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const CHANNEL = 'browser';
const PAD = 'x'.repeat(64);

const PAGES = {
  // rtm-kit: the ESM client from the server's /dist/, one channel listener.
  rtm: async ({ wsUrl, token, channel }) => {
    const RTM = await import('/dist/rtm.js');
    const state = (window.__bench = { count: 0, last: 0 });
    const client = RTM.createClient({ url: wsUrl, token });
    await client.ready();
    const chat = client.channel(channel);
    chat.on('m', () => {
      state.count++;
      state.last = performance.now();
    });
    const live = new Promise((resolve) => chat.on('probe', resolve));
    await chat.publish('probe', {});
    await live;
  },
  // The limit: a bare WebSocket on the same server and stream, JSON.parse and an event-name check per frame.
  raw: async ({ wsUrl, token, channel }) => {
    const state = (window.__bench = { count: 0, last: 0 });
    const ws = new WebSocket(`${wsUrl}?access_token=${encodeURIComponent(token)}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    await new Promise((resolve) => {
      ws.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === 'event' && message.data.data.eventName === 'm') {
          state.count++;
          state.last = performance.now();
        } else if (message.type === 'command response') resolve();
      };
      ws.send(JSON.stringify({ type: 'command', data: { command: 'subscribe', arguments: { action: ['published'], resource: { type: 'channel', name: channel } }, correlation_id: 1 } }));
    });
  },
  // The alternative: socket.io-client served by the socket.io server, WebSocket transport, a room.
  socketio: async ({ channel }) => {
    const state = (window.__bench = { count: 0, last: 0 });
    const socket = window.io({ transports: ['websocket'] });
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.on('message', (data) => {
      if (data.eventName === 'm') {
        state.count++;
        state.last = performance.now();
      }
    });
    await socket.emitWithAck('join', channel);
  },
};

/**
 * Main-thread JavaScript time per message: a burst received live (no block),
 * with Chromium's own ScriptDuration counter (CDP Performance) read before and after.
 */
async function scriptCost(page, cdp, publishBurst, n) {
  const scriptSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value;
  const base = await page.evaluate(() => window.__bench.count);
  const before = await scriptSeconds();
  await publishBurst(n);
  await page.waitForFunction((target) => window.__bench.count >= target, base + n, { polling: 50, timeout: 30_000 });
  return ((await scriptSeconds()) - before) / n;
}

/** One cycle: block the page, publish a burst of `n`, unblock, time the drain. */
async function cycle(page, publishBurst, n, blockMs) {
  const base = await page.evaluate(() => window.__bench.count);
  const blocked = page.evaluate((ms) => {
    const state = window.__bench;
    const end = performance.now() + ms;
    while (performance.now() < end);
    state.unblock = performance.now();
    state.atUnblock = state.count;
    return Date.now();
  }, blockMs);
  // Awaited below; if the publish fails first, this keeps the then-orphaned evaluate from crashing the runner.
  blocked.catch(() => {});
  await sleep(30);
  await publishBurst(n);
  const publishedAt = Date.now();
  const unblockedAt = await blocked;
  await page.waitForFunction((target) => window.__bench.count >= target, base + n, { polling: 20, timeout: 30_000 });
  const state = await page.evaluate(() => ({ ...window.__bench }));
  return { drained: base + n - state.atUnblock, ms: state.last - state.unblock, serverBound: publishedAt > unblockedAt };
}

export async function run({ runs = 5, cyclesPerRun = 3, burst = 3_000, blockMs = 600, log }) {
  const { executablePath } = findChromium({ install: false });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const rtmServer = await startProcess('servers/rtm.mjs');
  const sioServer = await startProcess('servers/socketio.mjs');
  const closers = [];
  try {
    const token = await rtmServer.call('token', { sub: 'bench-browser' });
    const subjects = [];
    for (const system of ['rtm', 'raw', 'socketio']) {
      const page = await browser.newPage();
      let publisher;
      if (system === 'socketio') {
        await page.goto(`${sioServer.info.url}/`);
        await page.addScriptTag({ url: '/socket.io/socket.io.min.js' });
        publisher = await openSocketIo(sioServer.info.url);
      } else {
        // Any same-origin document will do; /healthz is a tiny one that opens no connection of its own.
        await page.goto(`${rtmServer.info.url}/healthz`);
        publisher = await openRtc(rtmServer.info.ws, token);
      }
      closers.push(() => publisher.close());
      await page.evaluate(PAGES[system], { wsUrl: rtmServer.info.ws, token, channel: `${CHANNEL}-${system}` });
      let seq = 0;
      const publishBurst = (n) => {
        const acks = [];
        for (let i = 0; i < n; i++) acks.push(publisher.publish(`${CHANNEL}-${system}`, 'm', { seq: seq++, text: PAD }));
        return Promise.all(acks);
      };
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      subjects.push({ system, page, cdp, publishBurst });
    }
    // Warm-up cycle per page (JIT, socket buffers), discarded.
    for (const subject of subjects) await cycle(subject.page, subject.publishBurst, burst, blockMs);
    const perRun = [];
    for (let r = 0; r < runs; r++) {
      const rates = {};
      for (const subject of subjects) {
        let drained = 0;
        let ms = 0;
        let serverBound = 0;
        for (let c = 0; c < cyclesPerRun; c++) {
          const result = await cycle(subject.page, subject.publishBurst, burst, blockMs);
          drained += result.drained;
          ms += result.ms;
          if (result.serverBound) serverBound++;
        }
        const cost = await scriptCost(subject.page, subject.cdp, subject.publishBurst, burst);
        rates[subject.system] = { rate: drained / (ms / 1000), drained, serverBound, scriptUsPerMessage: cost * 1e6 };
      }
      perRun.push(rates);
      log(`  run ${r + 1}/${runs}: ${Object.entries(rates).map(([s, v]) => `${s} ${round(v.rate)} msg/s`).join(', ')}`);
    }
    const rows = ['rtm', 'raw', 'socketio'].map((system) => ({
      system,
      label: { rtm: 'rtm-kit client, channel.on()', raw: 'raw WebSocket + JSON.parse (limit)', socketio: 'socket.io-client 4, socket.on()' }[system],
      server: system === 'socketio' ? 'socket.io 4 server' : 'rtm-kit server (same stream)',
      runs,
      messagesPerRun: cyclesPerRun * burst,
      messagesPerSecond: round(median(perRun.map((run) => run[system].rate))),
      vsRaw: round(median(perRun.map((run) => ratio(run[system].rate, run.raw.rate)))),
      cyclesServerBound: perRun.reduce((sum, run) => sum + run[system].serverBound, 0),
      scriptUsPerMessage: round(median(perRun.map((run) => run[system].scriptUsPerMessage))),
      scriptVsRaw: round(median(perRun.map((run) => ratio(run[system].scriptUsPerMessage, run.raw.scriptUsPerMessage)))),
    }));
    return { chromium: browser.version(), burst, blockMs, rows };
  } finally {
    for (const close of closers) close();
    await browser.close();
    await rtmServer.stop();
    await sioServer.stop();
  }
}
