// Section 9: the HTTP fallback transports against WebSocket, in the same run: publish → receive latency at fixed
// rates and throughput, through rtm-kit's Node client pinned to one transport, all against one rtm-server.
import { startProcess } from '../lib/proc.mjs';
import { median, ratio, round } from '../lib/stats.mjs';

const TRANSPORTS = [
  { system: 'rtm-ws', transport: 'websocket', label: 'WebSocket' },
  { system: 'rtm-stream', transport: 'http-stream', label: 'HTTP streaming' },
  { system: 'rtm-poll', transport: 'long-poll', label: 'long-polling' },
];
const DURATION_MS = { 100: 3_000, 1_000: 2_000 };
const THROUGHPUT_MESSAGES = 5_000;

export async function run({ rates = [100, 1_000], runs = 2, log }) {
  const server = await startProcess('servers/rtm.mjs', { nodeArgs: ['--expose-gc'] });
  const load = await startProcess('load/latency.mjs');
  const samples = {};
  try {
    const token = await server.call('token', { sub: 'bench-transports' });
    for (const t of TRANSPORTS) await load.call('setup', { system: t.system, url: server.info.ws, token, transports: [t.transport] });
    for (const t of TRANSPORTS) await load.call('measure', { system: t.system, rate: 1_000, durationMs: 500 });
    for (let runIndex = 0; runIndex < runs; runIndex++) {
      for (const t of TRANSPORTS) {
        for (const rate of rates) (samples[`${t.system}@${rate}`] ??= []).push(await load.call('measure', { system: t.system, rate, durationMs: DURATION_MS[rate] }));
        (samples[`${t.system}@max`] ??= []).push(await load.call('throughput', { system: t.system, count: THROUGHPUT_MESSAGES }));
      }
      log(`  run ${runIndex + 1}/${runs} done`);
    }
  } finally {
    await load.call('closeAll').catch(() => {});
    await load.stop();
    await server.stop();
  }
  const rows = TRANSPORTS.map((t) => {
    const row = { system: t.system, transport: t.transport, label: t.label, runs };
    for (const rate of rates) {
      const results = samples[`${t.system}@${rate}`];
      row[`p50At${rate}`] = round(median(results.map((r) => r.p50)));
      row[`p99At${rate}`] = round(median(results.map((r) => r.p99)));
      row[`lostAt${rate}`] = results.reduce((sum, r) => sum + r.sent - r.received, 0);
      row[`duplicatesAt${rate}`] = results.reduce((sum, r) => sum + r.duplicates, 0);
    }
    const max = samples[`${t.system}@max`];
    row.messagesPerSecond = round(median(max.map((r) => r.messagesPerSecond)));
    row.throughputLost = max.reduce((sum, r) => sum + r.sent - r.received, 0);
    return row;
  });
  const ws = rows[0];
  for (const row of rows) row.throughputVsWebSocket = round(ratio(row.messagesPerSecond, ws.messagesPerSecond));
  return { rates, throughputMessages: THROUGHPUT_MESSAGES, rows };
}

/** The section of bench/RESULTS.md. */
export function render(data, { n, section }) {
  const [low, high] = data.rates;
  return section(
    '## 9. Fallback transports against WebSocket',
    `One rtm-server; one load process holds a publisher and a receiver per transport, each rtm-kit's Node client pinned to it with \`transports: [...]\` (HTTP streaming and long-polling use Node's fetch, as a browser would). Latency as in section 3 (fixed rate, from each message's scheduled send time), at ${n(low)} and ${n(high)} msg/s; p50 and p99 are medians over the runs. Throughput: ${n(data.throughputMessages)} messages published with at most 100 unacknowledged, deliveries per second until the last arrived (median over runs). All transports are measured in the same run, interleaved.`,
    ['transport', 'runs', `p50 ms @ ${n(low)}/s`, `p99 ms @ ${n(low)}/s`, `p50 ms @ ${n(high)}/s`, `p99 ms @ ${n(high)}/s`, 'lost / duplicates', 'throughput, msg/s', 'vs WebSocket'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    data.rows.map((r) => [
      r.label,
      n(r.runs),
      `**${n(r[`p50At${low}`], 2)}**`,
      n(r[`p99At${low}`], 2),
      `**${n(r[`p50At${high}`], 2)}**`,
      n(r[`p99At${high}`], 2),
      `${n(data.rates.reduce((sum, rate) => sum + r[`lostAt${rate}`], 0) + r.throughputLost)} / ${n(data.rates.reduce((sum, rate) => sum + r[`duplicatesAt${rate}`], 0))}`,
      `**${n(r.messagesPerSecond)}**`,
      `${n(r.throughputVsWebSocket, 2)}×`,
    ]),
    ['', 'Every command over HTTP is a POST (one in flight at a time, the frames queued meanwhile go together in the next), and every long-poll batch costs a request: the fallbacks trade throughput and latency for reaching the server at all.'],
  );
}
