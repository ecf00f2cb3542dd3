// Section 11: one connection for all tabs (rtm-kit/shared). 20 tabs of one
// Chromium context on one rtm-server, each with a client listening to one
// channel: without sharing, through the SharedWorker, and through leader
// election (SharedWorker removed). Measured: the server's WebSockets (its
// rtm_connections gauge) and RSS, Chromium's RSS (every process of the
// browser), and the handover: the leader tab closes while a message stream
// runs, and the time until every other tab's client is open again and has
// its channel subscribed, plus what of that run's stream arrived twice or
// not at all (silently, or with a recovery event that said so).
import { chromium } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { findChromium } from '../../scripts/browser.mjs';
import { startBin } from '../lib/bin.mjs';
import { rssOf, sleep } from '../lib/proc.mjs';
import { median, round } from '../lib/stats.mjs';
import { CHROMIUM_ARGS } from './browser.mjs';

const TABS = 20;
const HANDOVERS = 3;

/** RSS of a process and all its descendants (Chromium's browser, renderer, GPU and worker processes). */
function treeRss(root) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = new Set([root]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, parent] of parents) if (tree.has(parent) && !tree.has(pid)) grown = tree.add(pid) !== undefined;
  }
  let total = 0;
  for (const pid of tree) total += rssOf(pid) ?? 0;
  return total;
}

async function connections(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  // One line per transport (websocket, http-stream, long-poll): all of them are connections.
  return [...text.matchAll(/^rtm_connections\{[^}]*endpoint="rtc"[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** Opens a tab whose client (shared or not) listens on `channel` and records its messages and state changes with wall-clock times. */
async function openTab(context, base, { shared, noWorker }) {
  const page = await context.newPage();
  if (noWorker) await page.addInitScript(() => delete window.SharedWorker);
  await page.goto(`${base}/healthz`);
  await page.evaluate(
    async ({ shared }) => {
      const RTM = await import('/dist/rtm-shared.js');
      const w = window;
      w.got = [];
      w.opens = [];
      w.subscribed = [];
      // Recoveries that said events were lost (recovered false): a loss the app is told of is not a silent one.
      w.toldLost = [];
      const client = RTM.createClient({
        url: `${location.origin.replace('http', 'ws')}/rtc`,
        token: async () => (await (await fetch('/api/dev/token?sub=bench-tabs', { cache: 'no-store' })).json()).token,
        shared,
      });
      client.on('state', ({ state }) => state === 'open' && w.opens.push(Date.now()));
      client.on('recovery', ({ recovered }) => recovered || w.toldLost.push(Date.now()));
      const channel = client.channel('tabs');
      channel.on((payload) => w.got.push(payload));
      channel.onState((state) => state === 'subscribed' && w.subscribed.push(Date.now()));
      w.rtm = client;
      await client.ready();
      await new Promise((resolve) => (channel.state === 'subscribed' ? resolve() : channel.onState((s) => s === 'subscribed' && resolve())));
    },
    { shared },
  );
  return page;
}

async function publish(base, apiKey, payload) {
  await fetch(`${base}/api/broadcast`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ channel: 'tabs', eventName: 'n', payload }) });
}

/** Runs the section: returns { rows, handover }. */
export async function run({ log }) {
  const apiKey = 'bench-tabs-key';
  const server = await startBin(['--port', '0', '--dev'], { RTM_API_KEY: apiKey, RTM_JWT_SECRET: 'bench-tabs-secret-bench-tabs-secret-0123' });
  const { executablePath } = findChromium({ install: false });
  const browserServer = await chromium.launchServer({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const rows = [];
  let handover;
  try {
    const idleRss = treeRss(browserServer.process().pid);
    for (const mode of [
      { label: 'one connection per tab', shared: false },
      { label: 'shared: SharedWorker', shared: true },
      { label: 'shared: leader election (no SharedWorker)', shared: true, noWorker: true },
    ]) {
      const serverBefore = rssOf(server.pid);
      const context = await browser.newContext();
      const tabs = [];
      for (let i = 0; i < TABS; i++) tabs.push(await openTab(context, server.url, mode));
      await sleep(1_000);
      const row = {
        label: mode.label,
        tabs: TABS,
        mode: await tabs[0].evaluate(() => window.rtm.shared),
        serverConnections: await connections(server.url),
        serverRssDelta: rssOf(server.pid) - serverBefore,
        chromiumRss: treeRss(browserServer.process().pid) - idleRss,
      };
      log(`  ${mode.label}: ${row.serverConnections} server connections, Chromium +${round(row.chromiumRss / 2 ** 20, 0)} MiB`);
      rows.push(row);
      if (mode.noWorker) handover = await measureHandovers(tabs, server.url, apiKey, log);
      await context.close();
      await sleep(500);
    }
  } finally {
    await browser.close();
    await browserServer.close();
    await server.stop();
  }
  return { rows, handover };
}

/** Closes the leader tab HANDOVERS times while messages stream; times until every other tab is open and subscribed again. */
async function measureHandovers(tabs, base, apiKey, log) {
  const runs = [];
  let next = 0;
  for (let run = 0; run < HANDOVERS; run++) {
    const first = next;
    const streaming = (async () => {
      for (let i = 0; i < 40; i++) await publish(base, apiKey, next++);
    })();
    await sleep(50);
    const leader = tabs.shift();
    const closedAt = Date.now();
    await leader.close();
    await streaming;
    const rest = await Promise.all(
      tabs.map((tab) =>
        tab.evaluate(async (closedAt) => {
          const w = window;
          const deadline = Date.now() + 10_000;
          while ((w.subscribed.at(-1) ?? 0) < closedAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          return { subscribedAt: w.subscribed.at(-1), got: w.got.slice() };
        }, closedAt),
      ),
    );
    const times = rest.map((r) => r.subscribedAt - closedAt);
    // Only this run's messages count: `got` holds the earlier runs' too, and a message lost in one run must not be
    // counted again in each later one.
    const count = next - first;
    await Promise.all(tabs.map((tab) => tab.waitForFunction(([from, n]) => window.got.filter((p) => p >= from).length >= n, [first, count], { timeout: 30_000 }).catch(() => {})));
    const final = await Promise.all(tabs.map((tab) => tab.evaluate(([from, at]) => ({ got: window.got.filter((p) => p >= from), told: window.toldLost.some((t) => t >= at) }), [first, closedAt])));
    let lost = 0;
    let reported = 0;
    let duplicates = 0;
    for (const { got, told } of final) {
      const missing = count - new Set(got).size;
      if (told) reported += missing;
      else lost += missing;
      duplicates += got.length - new Set(got).size;
    }
    runs.push({ allBackMs: Math.max(...times), medianBackMs: median(times), lost, reported, duplicates, tabsLeft: tabs.length, messages: count });
    log(`  handover ${run + 1}: all ${tabs.length} tabs back in ${Math.max(...times)} ms, lost ${lost} silently and ${reported} with a recovery event, duplicates ${duplicates} (of ${count} messages × ${tabs.length} tabs)`);
  }
  return { runs, allBackMedianMs: median(runs.map((r) => r.allBackMs)), allBackMaxMs: Math.max(...runs.map((r) => r.allBackMs)) };
}

/** The report's section. */
export function render(s, { n, section }) {
  const mib = (bytes) => (bytes == null ? '–' : `${n(bytes / 2 ** 20, 1)} MiB`);
  return section(
    '## 11. One connection for all tabs (rtm-kit/shared)',
    `${TABS} tabs of one Chromium context (launched with the args of playwright.config.ts), each loading \`/dist/rtm-shared.js\` and listening to one channel as the same user, against one \`rtm-server\`. Server connections: the server's own \`rtm_connections\` gauge. Server RSS: growth of the server process while the tabs connected. Chromium RSS: every process of the browser (browser, renderers, the SharedWorker) summed, minus the idle browser; shared pages count once per process, so it overstates, alike for every row. **Handover** (leader election; the SharedWorker outlives any tab, so closing a tab hands nothing over): while 40 REST broadcasts stream, the leader tab closes; time from the close to the moment every other tab's channel is subscribed again (its client reconnected through the new leader and resumed from its position), ${HANDOVERS} runs; of each run's 40 messages, those that reached a remaining tab twice or not at all, summed over the remaining tabs (a tab's missing messages count as lost silently unless its client reported a recovery with \`recovered: false\` after the close). 1 run per mode.`,
    ['mode', 'tabs', 'server connections', 'server RSS growth', 'Chromium RSS (all processes)'],
    ['l', 'r', 'r', 'r', 'r'],
    s.rows.map((r) => [r.label, n(r.tabs), `**${n(r.serverConnections)}**`, mib(r.serverRssDelta), `**${mib(r.chromiumRss)}**`]),
    s.handover
      ? [
          '',
          `Handover (leader election): every remaining tab subscribed again **${n(s.handover.allBackMedianMs)} ms** after the leader closed (median of ${s.handover.runs.length} runs; slowest ${n(s.handover.allBackMaxMs)} ms); runs: ${s.handover.runs.map((r) => `${r.tabsLeft} tabs back in ${n(r.allBackMs)} ms, lost ${n(r.lost)}${r.reported ? ` (and ${n(r.reported)} reported lost)` : ''}, duplicates ${n(r.duplicates)}`).join('; ')}.`,
        ]
      : [],
  );
}
