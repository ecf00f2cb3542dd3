// Section 3: publish → receive latency at fixed rates on loopback, all three
// systems running side by side, runs interleaved so drift hits them alike.
import { startProcess } from '../lib/proc.mjs';
import { median, ratio, round } from '../lib/stats.mjs';

const SYSTEMS = [
  { system: 'rtm', label: 'rtm-kit (createClient → rtm-server)', server: 'servers/rtm.mjs' },
  { system: 'raw', label: 'raw ws relay (limit)', server: 'servers/raw.mjs' },
  { system: 'socketio', label: 'socket.io 4 (client → rooms)', server: 'servers/socketio.mjs' },
];

/** Run length per rate: long enough for a p99 that is not just the slowest few messages. */
const DURATION_MS = { 100: 5_000, 1_000: 2_000, 5_000: 2_000 };

export async function run({ rates = [100, 1_000, 5_000], runs = 3, log }) {
  const servers = {};
  const load = await startProcess('load/latency.mjs');
  const samples = {};
  try {
    for (const subject of SYSTEMS) {
      servers[subject.system] = await startProcess(subject.server, { nodeArgs: ['--expose-gc'] });
      const info = servers[subject.system].info;
      const token = subject.system === 'rtm' ? await servers.rtm.call('token', { sub: 'bench-latency' }) : '';
      await load.call('setup', { system: subject.system, url: subject.system === 'socketio' ? info.url : info.ws, token });
    }
    // Warm-up: JIT and socket buffers, discarded.
    for (const subject of SYSTEMS) await load.call('measure', { system: subject.system, rate: 1_000, durationMs: 500 });
    for (let runIndex = 0; runIndex < runs; runIndex++) {
      for (const rate of rates) {
        for (const subject of SYSTEMS) {
          const result = await load.call('measure', { system: subject.system, rate, durationMs: DURATION_MS[rate] ?? 2_000 });
          (samples[`${subject.system}@${rate}`] ??= []).push(result);
        }
      }
      log(`  run ${runIndex + 1}/${runs} done`);
    }
  } finally {
    await load.call('closeAll').catch(() => {});
    await load.stop();
    for (const server of Object.values(servers)) await server.stop();
  }
  const rows = [];
  for (const rate of rates) {
    for (const subject of SYSTEMS) {
      const results = samples[`${subject.system}@${rate}`];
      rows.push({
        system: subject.system,
        label: subject.label,
        rate,
        runs: results.length,
        messagesPerRun: results[0].sent,
        lost: results.reduce((sum, r) => sum + r.sent - r.received, 0),
        duplicates: results.reduce((sum, r) => sum + r.duplicates, 0),
        p50Ms: round(median(results.map((r) => r.p50))),
        p99Ms: round(median(results.map((r) => r.p99))),
        maxMs: round(Math.max(...results.map((r) => r.max))),
        loadLoopLagMaxMs: round(Math.max(...results.map((r) => r.loopLagMaxMs))),
        clientCpuUsPerMessage: round(median(results.map((r) => r.cpuUsPerMessage))),
      });
    }
    const raw = rows.find((r) => r.rate === rate && r.system === 'raw');
    for (const row of rows.filter((r) => r.rate === rate)) row.p50VsRaw = round(ratio(row.p50Ms, raw.p50Ms));
  }
  return rows;
}
