import { render as clusterSection } from '../sections/cluster.mjs';
import { render as transportsSection } from '../sections/transports.mjs';
import { render as filtersSection } from '../sections/filters.mjs';
import { render as sharedTabsSection } from '../sections/shared-tabs.mjs';
import { render as soakSection } from '../sections/soak.mjs';
import { render as receiveSection } from '../sections/receive.mjs';

// Renders bench/results.json as bench/RESULTS.md: tables first, then where
// rtm-kit loses and the likely cause, then how each figure was measured.

const n = (value, digits) => {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (typeof value !== 'number') return String(value);
  if (digits !== undefined) return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 });
};
const x = (value) => (value === null || value === undefined ? '–' : `${n(value, 2)}×`);
const kb = (bytes) => (bytes == null ? '–' : `${n(bytes / 1000, 1)} KB`);
// Left-align the first columns (names), right-align figures.
const tableAligned = (head, align, rows) => [`| ${head.join(' | ')} |`, `|${align.map((a) => (a === 'l' ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** A report section: heading, how it was measured, its table, then any notes below the table. */
const section = (heading, method, head, align, rows, notes = []) => [heading, '', method, '', tableAligned(head, align, rows), ...notes].join('\n');

const LABEL = { rtm: 'rtm-kit', raw: 'raw ws (limit)', socketio: 'socket.io' };

function sizeSection(rows) {
  return section(
    '## 1. Bundle size',
    'Each bundle: esbuild bundle + minify, ESM (the IIFE as IIFE), platform browser, target es2020, no legal comments; gzip level 9 and brotli quality 11 from node:zlib. Bytes are deterministic, so each row is **1 build**. Budgets are enforced by `bench/size-budget.test.ts` (1 KB = 1,000 B).',
    ['bundle (what is measured)', 'version', 'runs', 'min', 'min+gzip', 'min+brotli', 'gzip vs rtm-kit client', 'budget (gzip)'],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows.map((r) => [
      r.name,
      r.version ?? '–',
      '1 build',
      n(r.min),
      `**${n(r.gzip)}**`,
      n(r.brotli),
      x(r.gzipVsRtmClient),
      r.budget ? `${n(r.budget)} B: ${r.gzip <= r.budget ? 'within' : `**over by ${n(r.gzip - r.budget)} B**`}` : '',
    ]),
  );
}

function browserSection(data) {
  return section(
    '## 2. Browser receive path (Chromium)',
    `Chromium ${data.chromium}, headless, launched with the args of playwright.config.ts. One page per system, all open at once; runs interleave the three pages. A **cycle** blocks the page's main thread for ${data.blockMs} ms while a Node publisher sends a burst of ${n(data.burst)} messages (~250 B frames), then times the page draining the burst from the socket buffers to the listener (first unblocked instant → last message). Drain rate = messages / drain time, summed over the cycles of a run. **JS time per message** = Chromium's ScriptDuration counter (CDP \`Performance.getMetrics\`) over one live burst of ${n(data.burst)} per run, divided by the burst. Medians over runs; ratios are taken per run, then the median.`,
    ['page (what is measured)', 'server', 'runs × messages', 'drain, msg/s', 'vs raw', 'JS µs / message', 'vs raw', 'server-bound cycles'],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    data.rows.map((r) => [r.label, r.server, `${r.runs} × ${n(r.messagesPerRun)}`, `**${n(r.messagesPerSecond)}**`, x(r.vsRaw), `**${n(r.scriptUsPerMessage)}**`, x(r.scriptVsRaw), n(r.cyclesServerBound)]),
    ['', '"server-bound cycles" counts cycles where the publisher had not finished before the page unblocked (the drain then partly measured the server); they are included, and should be 0.'],
  );
}

function latencySection(rows) {
  return section(
    '## 3. End-to-end latency (publish → receive, loopback)',
    "One load process (separate from the servers) holds a publisher and a receiver per system, each the system's own Node client: rtm-kit `createClient` (`channel.publish` / `channel.on`), socket.io-client (`emitWithAck('publish')` / `on('message')`; the server emits to a room), raw `ws` (no acknowledgement). Messages go out at a fixed rate; latency counts from each message's **scheduled** send time, so a lagging sender is not hidden. p50 and p99 are medians over the runs; max is over all runs. All three servers run side by side and runs interleave systems and rates. \"client CPU\" is the load process's CPU time (user + system, \`process.cpuUsage\`) per message, publisher and receiver together: the clients' own cost, which wall-clock contention does not inflate (at low rates the sender's 1 ms timer tick dominates it; compare it at 5,000 msg/s). The last column is the largest event-loop delay of the load process itself during those runs (`monitorEventLoopDelay`): a tail close to it is a stall of the machine or the generator, not of the system measured.",
    ['system', 'rate, msg/s', 'runs × messages', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'p50 vs raw', 'client CPU µs / message', 'load-process stall, max ms'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows.map((r) => [r.label, n(r.rate), `${r.runs} × ${n(r.messagesPerRun)}`, `**${n(r.p50Ms, 2)}**`, n(r.p99Ms, 2), n(r.maxMs, 1), n(r.lost), x(r.p50VsRaw), n(r.clientCpuUsPerMessage), n(r.loadLoopLagMaxMs, 1)]),
  );
}

function fanoutSection(rows) {
  return section(
    '## 4. Server fan-out',
    'Each server in its own process; its subscribers in one separate load process (rtm-kit subscribers speak RTC directly over `ws`, socket.io subscribers are socket.io-clients with the WebSocket transport) and a publisher connection in the same process. All three servers hold their connections at once and take turns round by round, who goes first rotating from round to round (2 warm-up rounds each, discarded). Each **round** publishes one message and waits until every subscriber has it; time-to-last = publish → last delivery. deliveries/s = subscribers / time-to-last, median over rounds; "vs raw" is the median over rounds of the ratio to the raw relay’s round with the same index; "time-to-last p99" is over the rounds (nearest rank, so with 15 rounds it is the slowest); "delivery p99" is over every delivery of every complete round.',
    ['server', 'subscribers', 'rounds', 'deliveries/s', 'vs raw', 'time-to-last p50 ms', 'time-to-last p99 ms', 'delivery p99 ms', 'lost'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows.map((r) =>
      r.skipped
        ? [r.label, n(r.subscribers), '–', r.skipped, '', '', '', '', '']
        : [r.label, n(r.subscribers), `${r.completeRounds}/${r.rounds}`, `**${n(r.deliveriesPerSecond)}**`, x(r.throughputVsRaw), n(r.timeToLastP50Ms, 1), n(r.timeToLastP99Ms, 1), n(r.deliveryP99Ms, 1), n(r.lostDeliveries)],
    ),
  );
}

function memorySection(rows) {
  return section(
    '## 5. Memory per idle connection',
    'Server process started with `--expose-gc`; memory read after two forced full GCs, before any client (baseline), with half the connections open, and with every connection open, authenticated and idle (median of 3 readings each). Per connection = (with all − baseline) / connections. That includes what grows once however many connect: V8\'s young generation grows to its 32 MiB maximum while connections open, up to ~3 KB a connection at 10,000, more or less depending on how large it already was. The **second half** column is (with all − with half) / connections of the second half: what one more idle connection costs. RSS misses the kernel\'s socket buffers (~4 KB a socket per the Centrifugo figures in shared/notes/server-anchors.md). 1 run per server.',
    ['server', 'connections', 'runs', 'RSS / connection', 'vs raw', 'RSS, second half', 'vs raw', 'JS heap / connection', 'vs raw', 'heap, second half', 'RSS with all connected', 'connects/s while ramping'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows.map((r) => [r.label, n(r.connections), `1 (median of ${r.samples} readings)`, `**${kb(r.rssPerConnection)}**`, x(r.rssVsRaw), r.rssMarginal === undefined ? '–' : `**${kb(r.rssMarginal)}**`, x(r.rssMarginalVsRaw), kb(r.heapPerConnection), x(r.heapVsRaw), r.heapMarginal === undefined ? '–' : kb(r.heapMarginal), `${n(r.rssAt / 2 ** 20, 0)} MiB`, n(r.connectsPerSecond)]),
  );
}

function herdSection(rows) {
  return section(
    '## 6. Reconnect herd',
    'N clients connected and subscribed (rtm-kit: `createClient` with its default backoff, in one load process; socket.io: `io(url)` with every default, long-polling first, re-joining the room on each `connect`). After 5.5 s connected (past rtm-kit’s 5 s stable-connection window) the server is killed with SIGKILL, so every client loses it in the same instant, and a new server process starts on the same port. An **attempt** is a WebSocket the rtm client constructs (counted through the `WebSocket` option) or a socket.io `reconnect_attempt`. A client counts as **resubscribed** when it receives a probe published after the restart (probes every 50 ms: REST `/api/broadcast` for rtm-kit, a socket.io publisher for socket.io). Times are from the kill. Each row is the median of its runs (runs alternate between the two clients); "all resubscribed" also gives the slowest run. Attempt times are logged inside the load process: while 2,000 clients wake at once its own event loop lags (last column), which bunches some logged attempts later than the backoff chose, for both clients alike.',
    ['client', 'clients × runs', 'server down, ms', 'attempts', 'most attempts in any 100 ms', 'attempts spread over, ms', 'resubscribed p50 ms', 'p99 ms', 'all resubscribed, ms', 'load-process stall, max ms'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows.map((r) => [r.label, `${n(r.clients)} × ${r.runs}`, n(r.downtimeMs), n(r.attempts), `**${n(r.maxAttemptsIn100ms)}**`, n(r.attemptsSpreadMs), n(r.resubscribedP50Ms), n(r.resubscribedP99Ms), r.allResubscribedMs == null ? `**not all within ${n(r.deadlineMs)} ms in every run**` : `**${n(r.allResubscribedMs)}** (slowest run ${n(r.allResubscribedMaxMs)})`, n(r.loadLoopLagMaxMs)]),
    ['', 'Attempts per 100 ms after the kill, first run (bucket start in ms: count):', '', ...rows.map((r) => `- ${r.label}: ${r.histogram.map((h) => `${h.fromMs}: ${h.count}`).join(', ')}`)],
  );
}

function ceilingSection(c) {
  return section(
    '## 7. Connection ceiling',
    `The built \`rtm-server\` bin (logging as users run it, output discarded), started under \`ulimit -n 65536\` where permitted. Clients: ${c.loadProcesses} load process(es) of at most 10,000 RTC connections, each from its own loopback source address, 100 connects in flight per process; every connection subscribes to a channel, then sends the RTC \`ping\` command every ${c.heartbeatIntervalS} s (spread evenly), the liveness traffic of an idle SDK client; the server's own heartbeat (if the build has one) runs as configured. Held for ${c.holdSeconds} s, sampled every 5 s: open connections, server RSS, \`/healthz\` latency, and a newcomer connect + ping. 1 run.`,
    ['measured (1 run)', 'value'],
    ['l', 'r'],
    [
      ['target (bounded by)', `${n(c.target)} (${c.boundBy})`],
      ['connected (failures)', `${n(c.connected)} (${n(c.connectFailures)})`],
      ['ramp time', `${n(c.rampSeconds)} s`],
      [`**held throughout the ${c.holdSeconds} s**`, `**${n(c.heldThroughout)}**`],
      ['closed during the hold (by code)', Object.keys(c.closeCodes).length ? JSON.stringify(c.closeCodes) : 'none'],
      ['heartbeat pings answered / sent', `${n(c.heartbeatsSent - c.heartbeatsFailed)} / ${n(c.heartbeatsSent)}`],
      ['server RSS at the end', `${n(c.serverRssAtEnd / 2 ** 20, 0)} MiB (${kb(c.serverRssPerConnection)} per connection)`],
      ['slowest /healthz during the hold', `${n(c.healthzMaxMs, 1)} ms`],
      ['slowest newcomer connect + ping', `${n(c.probeMaxMs, 1)} ms`],
    ],
  );
}

/** How the two Node clients' CPU per message compares, as a clause for the latency note. */
function cpuClause(rtm, sio) {
  const [a, b] = [rtm.clientCpuUsPerMessage, sio.clientCpuUsPerMessage];
  if (a == null || b == null) return '';
  if (a > b * 1.1) return `; the rtm-kit Node clients also spend more CPU per message (${n(a)} µs against ${n(b)} µs), so on busy cores they fall behind first`;
  return `; their CPU per message is about the same (${n(a)} µs against ${n(b)} µs), so the gap is in the path, not in the cost`;
}

/** "Where rtm-kit loses": every comparison where rtm-kit is behind a peer in this run, with the likely cause. */
function losses(s) {
  const out = [];
  const size = s.size;
  if (size) {
    const client = size[0];
    const iife = size[2];
    for (const r of [client, iife]) if (r.budget && r.gzip > r.budget) out.push(`**Budget**: ${r.name} is ${n(r.gzip)} B min+gzip, ${n(r.gzip - r.budget)} B over its ${n(r.budget)} B budget (the size-budget test fails). Cause: partysocket/ws alone is ~${n(size.find((p) => p.name.startsWith('partysocket'))?.gzip)} B of it; the rest is the client's own state machine, request correlation and subscriptions.`);
    const smaller = size.filter((r) => !r.name.startsWith('rtm-kit') && !r.name.startsWith('partysocket') && r.gzip < client.gzip);
    for (const r of smaller) out.push(`**Bundle**: ${r.name} (${n(r.gzip)} B) is smaller than the rtm-kit client (${n(client.gzip)} B).`);
  }
  const b = s.browser;
  if (b) {
    const rtm = b.rows.find((r) => r.system === 'rtm');
    const sio = b.rows.find((r) => r.system === 'socketio');
    if (rtm.scriptUsPerMessage > sio.scriptUsPerMessage)
      out.push(
        `**Browser JS cost**: rtm-kit spends ${n(rtm.scriptUsPerMessage)} µs of main-thread script per message against socket.io-client's ${n(sio.scriptUsPerMessage)} µs and the raw page's ${n(b.rows.find((r) => r.system === 'raw').scriptUsPerMessage)} µs (${x(rtm.scriptVsRaw)} the limit). Likely cause: each frame is parsed once and handed to the listeners of its resource, but the client also checks the envelope, tracks the stream position and builds the \`meta\` object the handler receives, which the raw page does not. The drain rate hides most of it (${x(rtm.vsRaw)} the raw page) because Chromium's per-frame IPC dominates on this machine.`,
      );
    if (rtm.messagesPerSecond < sio.messagesPerSecond)
      out.push(`**Browser drain rate**: ${n(rtm.messagesPerSecond)} msg/s for rtm-kit against ${n(sio.messagesPerSecond)} for socket.io (different servers; both far below the JS cost limit, so mostly Chromium's per-frame IPC and noise on 2 shared cores).`);
  }
  for (const row of s.latency ?? []) {
    if (row.system !== 'rtm') continue;
    const sio = s.latency.find((r) => r.system === 'socketio' && r.rate === row.rate);
    if (sio && row.p50Ms > sio.p50Ms)
      out.push(`**Latency at ${n(row.rate)} msg/s**: p50 ${n(row.p50Ms, 2)} ms for rtm-kit against ${n(sio.p50Ms, 2)} ms for socket.io${cpuClause(row, sio)}. Likely cause: each publish is a full RTC command: the server parses, checks and authorizes it, records it for de-duplication and history, and answers with an acknowledgement that echoes the request, which the publishing client (in the same load process as the receiver) must read too; the raw relay has no acknowledgement. The event envelope (action, resource, modifier, ISO timestamp) is also about twice socket.io's packet.`);
    if (sio && row.p99Ms > sio.p99Ms * 1.2) out.push(`**Latency tail at ${n(row.rate)} msg/s**: p99 ${n(row.p99Ms, 2)} ms for rtm-kit against ${n(sio.p99Ms, 2)} ms for socket.io. Likely cause: the server's garbage collection. It keeps about 1 KB per publish (a de-duplication record, kept 120 s or up to 100,000 records, and a history entry), so each scavenge promotes objects and every few seconds a mark-compact of 10–20 ms delays the messages behind it; socket.io keeps nothing per message (measured with each server's GC pauses recorded by a PerformanceObserver, and its heap per publish after forced collections).`);
  }
  for (const row of s['fanout-memory']?.fanout ?? []) {
    if (row.system !== 'rtm' || row.skipped) continue;
    const sio = s['fanout-memory'].fanout.find((r) => r.system === 'socketio' && r.subscribers === row.subscribers);
    if (sio && !sio.skipped && row.deliveriesPerSecond < sio.deliveriesPerSecond)
      out.push(`**Fan-out to ${n(row.subscribers)}**: ${n(row.deliveriesPerSecond)} deliveries/s for rtm-kit against ${n(sio.deliveriesPerSecond)} for socket.io.`);
  }
  const slowFanout = (s['fanout-memory']?.fanout ?? []).filter((r) => r.system === 'rtm' && !r.skipped && r.throughputVsRaw < 0.9);
  if (slowFanout.length)
    out.push(`**Fan-out vs the limit**: rtm-kit delivers at ${slowFanout.map((r) => `${x(r.throughputVsRaw)} (${n(r.subscribers)} subscribers)`).join(', ')} the raw relay's rate. Likely cause: the server frames each event once and writes that one buffer to every subscriber's socket, so its own cost per delivery is the write system call; but the RTC event envelope (action, resource, modifier, ISO timestamp) makes each frame about twice the raw relay's (≈270 B against ≈130 B for this payload), and the one load process that reads every subscriber's frames spends more CPU per round on them.`);
  for (const row of s['fanout-memory']?.memory ?? []) {
    if (row.system !== 'rtm') continue;
    const sio = s['fanout-memory'].memory.find((r) => r.system === 'socketio');
    const raw = s['fanout-memory'].memory.find((r) => r.system === 'raw');
    if (sio && row.rssPerConnection > sio.rssPerConnection)
      out.push(`**Memory**: ${kb(row.rssPerConnection)} RSS per idle connection for rtm-kit against ${kb(sio.rssPerConnection)} for socket.io.`);
    if (raw && row.rssPerConnection > 1.5 * raw.rssPerConnection)
      out.push(`**Memory vs the limit**: ${kb(row.rssPerConnection)} RSS (${kb(row.heapPerConnection)} heap) per idle connection, ${x(row.rssVsRaw)} the raw ws server. Likely cause: each session holds its parts (the bounded writer, the intake with its rate bucket, the authentication with its token deadlines in the shared sweep, the subscriptions, the command dispatch), its id and the verified identity, where the raw relay keeps one Set per socket; read from the baseline, the figure also carries V8's young generation growing while connections open (compare the second-half column).`);
  }
  const herd = s.herd;
  if (herd) {
    const rtm = herd.find((r) => r.system === 'rtm');
    const sio = herd.find((r) => r.system === 'socketio');
    if (rtm && sio && rtm.maxAttemptsIn100ms > sio.maxAttemptsIn100ms)
      out.push(`**Herd peak**: up to ${n(rtm.maxAttemptsIn100ms)} rtm-kit reconnect attempts in one 100 ms window against ${n(sio.maxAttemptsIn100ms)} for socket.io. Likely cause: after a stable connection the first retry is drawn from [min, 5·min]; a client that fails again draws from a wider window each time, with full jitter, so the peak depends on how many clients fail their first attempt together.`);
    if (rtm && sio && (rtm.allResubscribedMs ?? Infinity) > (sio.allResubscribedMs ?? Infinity))
      out.push(`**Herd recovery**: all rtm-kit clients were resubscribed after ${n(rtm.allResubscribedMs)} ms against ${n(sio.allResubscribedMs)} ms for socket.io.`);
  }
  return out;
}

/**
 * The performance targets against this file's figures: the full run's where it has them, the soak's, and
 * figures measured separately since (`results.separateFigures`, each with its source), which replace none of
 * the run's and are marked as such.
 */
function targetsSection(results) {
  const s = results.sections ?? {};
  const pass = (ok) => (ok === undefined ? '–' : ok ? 'met' : '**not met**');
  const rows = [];
  const add = (measure, target, figure, ok) => rows.push([measure, target, figure ?? '–', pass(figure == null ? undefined : ok)]);
  const b = s.browser && Object.fromEntries(s.browser.rows.map((r) => [r.system, r]));
  add('browser JS per message (ScriptDuration)', '≤ 1.5× raw', b && `${n(b.rtm.scriptUsPerMessage)} µs, ${x(b.rtm.scriptVsRaw)} raw`, b && b.rtm.scriptVsRaw <= 1.5);
  add('browser drain rate', '≥ 0.9× raw', b && `${x(b.rtm.vsRaw)} raw`, b && b.rtm.vsRaw >= 0.9);
  const top = s.latency && Math.max(...s.latency.map((r) => r.rate));
  const lat = s.latency && Object.fromEntries(s.latency.filter((r) => r.rate === top).map((r) => [r.system, r]));
  add(`latency at ${n(top)} msg/s`, "p99 ≤ socket.io's; p50 ≤ 1.2× raw", lat && `p99 ${n(lat.rtm.p99Ms, 2)} ms (socket.io ${n(lat.socketio.p99Ms, 2)}); p50 ${x(lat.rtm.p50Ms / lat.raw.p50Ms)} raw`, lat && lat.rtm.p99Ms <= lat.socketio.p99Ms && lat.rtm.p50Ms <= 1.2 * lat.raw.p50Ms);
  add('client bundle, min+gzip', '≤ 8,500 B', s.size && `${n(s.size[0].gzip)} B`, s.size && s.size[0].gzip <= 8_500);
  add('IIFE with widgets, min+gzip', '≤ 12,500 B', s.size && `${n(s.size[2].gzip)} B`, s.size && s.size[2].gzip <= 12_500);
  const herd = s.herd?.find((r) => r.system === 'rtm');
  add('reconnect herd', '≤ 10 % of clients in any 100 ms; all resubscribed ≤ 5 s', herd && `peak ${n(herd.maxAttemptsIn100ms)} (${n((100 * herd.maxAttemptsIn100ms) / herd.clients, 1)} %); all after ${n(herd.allResubscribedMs)} ms`, herd && herd.maxAttemptsIn100ms <= herd.clients / 10 && herd.allResubscribedMs <= 5_000);
  const mem = s['fanout-memory']?.memory.find((r) => r.system === 'rtm');
  // Both readings are shown; the verdict needs both, since the one from the baseline is what a naive check measures.
  add(
    'RSS per idle connection',
    '≤ 1.3× raw ws',
    mem && `${kb(mem.rssPerConnection)}, ${x(mem.rssVsRaw)} raw from the baseline${mem.rssMarginal === undefined ? '' : `; second half ${kb(mem.rssMarginal)}, ${x(mem.rssMarginalVsRaw)} raw`}`,
    mem && mem.rssVsRaw <= 1.3 && (mem.rssMarginalVsRaw === undefined || mem.rssMarginalVsRaw <= 1.3),
  );
  const fan = s['fanout-memory']?.fanout.filter((r) => !r.skipped && r.subscribers === 10_000);
  const f = fan && Object.fromEntries(fan.map((r) => [r.system, r]));
  add('fan-out to 10,000', '≥ 0.95× raw and ≥ 2× socket.io', f?.rtm && `${n(f.rtm.deliveriesPerSecond)}/s, ${x(f.rtm.throughputVsRaw)} raw, ${x(ratioOf(f.rtm.deliveriesPerSecond, f.socketio?.deliveriesPerSecond))} socket.io`, f?.rtm && f.rtm.throughputVsRaw >= 0.95 && f.rtm.deliveriesPerSecond >= 2 * f.socketio.deliveriesPerSecond);
  const soak = results.soak;
  add('soak', 'growth after warm-up < 5 %; 0 lost', soak && `RSS ${n(soak.rssGrowthAfterWarmup * 100, 1)} %, heap ${n(soak.heapGrowthAfterWarmup * 100, 1)} %; ${n(soak.totals.lost)} lost (${soak.settings.minutes} min)`, soak && soak.rssGrowthAfterWarmup < 0.05 && soak.heapGrowthAfterWarmup < 0.05 && soak.totals.lost === 0);
  const separate = results.separateFigures ?? [];
  const lines = [
    '## Targets',
    '',
    `"This run" is the full run of ${results.date} (commit ${results.versions?.commit ?? '?'}), except the soak row (its own run, see Soak). Ratios compare systems measured in the same run.`,
    '',
    tableAligned(['measure', 'target', 'this run', 'verdict'], ['l', 'l', 'l', 'l'], rows),
  ];
  if (separate.length)
    lines.push('', '**Measured separately since that run** (not side by side with the other systems unless it says so; they replace no figure above):', '', ...separate.map((e) => `- ${e.measure}: ${e.figure} (${e.source})`));
  const steps = results.clientSizeSteps ?? [];
  if (steps.length)
    lines.push(
      '',
      '**Client bundle, step by step through the receive-path and size work** (min+gzip bytes with the settings of section 1, so exact; "without the HTTP socket" leaves out `client/http-socket.ts`, the HTTP fallback\'s socket, which the bundle carries: the target counts it):',
      '',
      tableAligned(['step', 'commit', 'client (ESM)', 'client without the HTTP socket', 'IIFE with widgets'], ['l', 'l', 'r', 'r', 'r'], steps.map((e) => [e.step, e.commit, n(e.client), n(e.withoutHttpSocket), n(e.iife)])),
    );
  return lines.join('\n');
}

const ratioOf = (a, b) => (a == null || !b ? null : a / b);

export function renderMarkdown(results) {
  const { machine: m, versions: v, sections: s } = results;
  const lines = [
    '# rtm-kit benchmarks',
    '',
    `Generated by \`npm run bench\` on ${results.date} from commit ${v.commit ?? '?'}${v.dirty ? ' (with uncommitted changes)' : ''}; the whole run took **${n(results.wallSeconds)} s**. Do not edit by hand: rerun the command. Benchmarks are not tests; only the bundle budgets are enforced (by \`bench/size-budget.test.ts\` in \`npm test\`).`,
    '',
    `**Machine**: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; open-file limit of the runner ${n(m.fdLimitOfRunner)}. Servers, load generators and the browser share these ${m.cores} cores, so every figure includes their contention. Load average (1 min) ${n(m.loadAverageAtStart, 2)} at the start and ${n(results.loadAverageAtEnd, 2)} at the end: anything above ~2 means other work on the machine competed with the run, which is why only ratios within one run are compared.`,
    '',
    `**Versions**: Node ${v.node}${s.browser ? `, Chromium ${s.browser.chromium}` : ''}, rtm-kit ${v['rtm-kit']} (ws ${v.ws}, partysocket ${v.partysocket}, nanoevents ${v.nanoevents}, jose ${v.jose}), esbuild ${v.esbuild}, socket.io ${v['socket.io']}, socket.io-client ${v['socket.io-client']}, centrifuge ${v.centrifuge}, pusher-js ${v['pusher-js']}, phoenix ${v.phoenix}, @supabase/realtime-js ${v['@supabase/realtime-js']}, @playwright/test ${v['@playwright/test']}.`,
    '',
    results.overrides?.BENCH_RTM_OPTIONS || results.overrides?.BENCH_RTM_SERVER_ARGS
      ? `**Non-default server settings**: ${[results.overrides.BENCH_RTM_OPTIONS && `createServer options ${results.overrides.BENCH_RTM_OPTIONS}`, results.overrides.BENCH_RTM_SERVER_ARGS && `rtm-server flags \`${results.overrides.BENCH_RTM_SERVER_ARGS}\``].filter(Boolean).join('; ')}.\n`
      : '**Server settings**: rtm-kit ran with its defaults: sections 2–5 use `createServer` from dist/server.js in development mode with logging off; sections 6–7 run the `rtm-server` bin with a real secret and its default logging (to a drained pipe).\n',
    'Figures are medians unless a column says otherwise; every ratio compares systems measured in the same run. "raw ws" is the limit: the same job done with bare `ws` and `JSON.parse`, no protocol.',
    '',
  ];
  const errors = Object.entries(results.errors ?? {});
  if (errors.length) lines.push('**Sections that failed in this run**:', '', ...errors.map(([k, e]) => `- ${k}: ${e.split('\n')[0]}`), '');
  const headline = [];
  if (s.size) headline.push(`- Bundle: rtm-kit client **${n(s.size[0].gzip)} B** min+gzip (budget ${n(s.size[0].budget)}), IIFE with widgets **${n(s.size[2].gzip)} B** (budget ${n(s.size[2].budget)}); socket.io-client ${n(s.size.find((r) => r.name === 'socket.io-client')?.gzip)} B, centrifuge ${n(s.size.find((r) => r.name === 'centrifuge')?.gzip)} B.`);
  if (s.browser) {
    const [rtm, raw, sio] = ['rtm', 'raw', 'socketio'].map((k) => s.browser.rows.find((r) => r.system === k));
    headline.push(`- Browser receive: rtm-kit drains **${n(rtm.messagesPerSecond)} msg/s**, **${x(rtm.vsRaw)}** the raw WebSocket page (${n(raw.messagesPerSecond)}); socket.io ${n(sio.messagesPerSecond)}. Script time ${n(rtm.scriptUsPerMessage)} µs/message (${x(rtm.scriptVsRaw)} raw; socket.io ${n(sio.scriptUsPerMessage)}).`);
  }
  if (s.latency) {
    const at = (sys, rate) => s.latency.find((r) => r.system === sys && r.rate === rate);
    const top = Math.max(...s.latency.map((r) => r.rate));
    headline.push(`- Latency at ${n(top)} msg/s, p50 / p99: rtm-kit **${n(at('rtm', top).p50Ms, 2)} / ${n(at('rtm', top).p99Ms, 2)} ms**, raw ws ${n(at('raw', top).p50Ms, 2)} / ${n(at('raw', top).p99Ms, 2)}, socket.io ${n(at('socketio', top).p50Ms, 2)} / ${n(at('socketio', top).p99Ms, 2)}.`);
  }
  if (s['fanout-memory']) {
    const f = s['fanout-memory'].fanout.filter((r) => !r.skipped);
    const top = Math.max(...f.map((r) => r.subscribers));
    const at = (sys) => f.find((r) => r.system === sys && r.subscribers === top);
    if (at('rtm')) headline.push(`- Fan-out to ${n(top)}: rtm-kit **${n(at('rtm').deliveriesPerSecond)} deliveries/s** (${x(at('rtm').throughputVsRaw)} raw ws), socket.io ${n(at('socketio')?.deliveriesPerSecond)}.`);
    const mem = (sys) => s['fanout-memory'].memory.find((r) => r.system === sys);
    if (mem('rtm')) headline.push(`- Memory per idle connection (RSS): rtm-kit **${kb(mem('rtm').rssPerConnection)}**, raw ws ${kb(mem('raw')?.rssPerConnection)}, socket.io ${kb(mem('socketio')?.rssPerConnection)}.`);
  }
  if (s.herd) {
    const [rtm, sio] = ['rtm', 'socketio'].map((k) => s.herd.find((r) => r.system === k));
    headline.push(`- Herd of ${n(rtm.clients)}: at most **${n(rtm.maxAttemptsIn100ms)}** rtm-kit attempts in any 100 ms (socket.io ${n(sio.maxAttemptsIn100ms)}); all resubscribed after **${n(rtm.allResubscribedMs)} ms** (socket.io ${n(sio.allResubscribedMs)}).`);
  }
  if (s.ceiling) headline.push(`- Ceiling: **${n(s.ceiling.heldThroughout)}** connections held for ${s.ceiling.holdSeconds} s with heartbeats, bounded by ${s.ceiling.boundBy}.`);
  if (s.cluster) {
    const at = (count) => s.cluster.rows.filter((r) => r.instances === count && r.redis !== false).at(-1);
    if (at(1) && at(3)) headline.push(`- Redis, ${n(at(1).rate)} msg/s × ${n(at(1).subscribers)}: 1 instance **${n(at(1).deliveriesPerSecond)} deliveries/s**, p99 ${n(at(1).p99Ms, 2)} ms; 3 instances **${n(at(3).deliveriesPerSecond)}**, p99 ${n(at(3).p99Ms, 2)} ms.`);
  }
  if (s.filters) {
    const { wire, fanout } = s.filters;
    const all = fanout.find((r) => r.case.startsWith('each'));
    headline.push(`- Filters: a subscriber filtering 1 message in 10 received **${n(wire.filteredFrames)} frames / ${n(wire.filteredBytes)} B** against ${n(wire.unfilteredFrames)} / ${n(wire.unfilteredBytes)} unfiltered; fan-out to ${n(all.subscribers)} each with a different filter ran at **${n(all.vsUnfiltered, 2)}×** the unfiltered rate.`);
  }
  if (headline.length) lines.push('## Headlines', '', ...headline, '');
  lines.push(targetsSection(results), '');
  const loss = losses(s);
  lines.push('## Where rtm-kit loses', '', ...(loss.length ? loss.map((l) => `- ${l}`) : ['- Nowhere in this run.']), ...(results.lossNotes ?? []).map((l) => `- ${l}`), '');
  if (s.size) lines.push(sizeSection(s.size), '');
  if (s.browser) lines.push(browserSection(s.browser), '');
  if (s.receive) lines.push(receiveSection(s.receive, { n, section }), '');
  if (s.latency) lines.push(latencySection(s.latency), '');
  if (s['fanout-memory']) lines.push(fanoutSection(s['fanout-memory'].fanout), '', memorySection(s['fanout-memory'].memory), '');
  if (s.herd) lines.push(herdSection(s.herd), '');
  if (s.ceiling) lines.push(ceilingSection(s.ceiling), '');
  if (s.cluster) lines.push(clusterSection(s.cluster, { n, section }), '');
  if (s.transports) lines.push(transportsSection(s.transports, { n, section }), '');
  if (s.filters) lines.push(filtersSection(s.filters, { n, section }), '');
  if (s['shared-tabs']) lines.push(sharedTabsSection(s['shared-tabs'], { n, section }), '');
  if (results.soak) lines.push(soakSection(results.soak, { n, section }), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
