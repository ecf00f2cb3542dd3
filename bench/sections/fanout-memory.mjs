// Sections 4 and 5 share their connections: for each system, a server process
// and a load process (10k connections); memory is read with everyone idle,
// then growing subsets subscribe to one channel and receive single publishes.
import { startProcess, sleep } from '../lib/proc.mjs';
import { max, median, percentile, ratio, round } from '../lib/stats.mjs';

export const SYSTEMS = [
  { system: 'rtm', label: 'rtm-kit (rtm-server)', server: 'servers/rtm.mjs' },
  { system: 'raw', label: 'raw ws relay (limit)', server: 'servers/raw.mjs' },
  { system: 'socketio', label: 'socket.io 4 (rooms)', server: 'servers/socketio.mjs' },
];

export async function run({ connections = 10_000, sizes = [1_000, 5_000, 10_000], rounds = 15, log }) {
  const memory = [];
  const fanout = [];
  for (const subject of SYSTEMS) {
    log(`  ${subject.label}: starting server and ${connections} connections`);
    const server = await startProcess(subject.server, { nodeArgs: ['--expose-gc'] });
    const load = await startProcess('load/clients.mjs');
    try {
      const url = subject.system === 'socketio' ? server.info.url : server.info.ws;
      const token = subject.system === 'rtm' ? await server.call('token', { sub: 'bench-load', ttl: 3600 }) : '';
      await sleep(500);
      const before = await server.call('memory');
      const connected = await load.call('connect', { system: subject.system, url, token, n: connections, concurrency: 100 });
      await sleep(1_000);
      const samples = [];
      for (let i = 0; i < 3; i++) {
        samples.push(await server.call('memory'));
        await sleep(300);
      }
      const after = {
        rss: median(samples.map((s) => s.rss)),
        heapUsed: median(samples.map((s) => s.heapUsed)),
        external: median(samples.map((s) => s.external)),
      };
      const n = connected.open;
      memory.push({
        system: subject.system,
        label: subject.label,
        connections: n,
        failed: connected.failed,
        connectMs: round(connected.ms),
        connectsPerSecond: round(n / (connected.ms / 1000)),
        rssPerConnection: round((after.rss - before.rss) / n),
        heapPerConnection: round((after.heapUsed - before.heapUsed) / n),
        externalPerConnection: round((after.external - before.external) / n),
        rssBaseline: before.rss,
        rssAt: after.rss,
        heapBaseline: before.heapUsed,
        heapAt: after.heapUsed,
        samples: samples.length,
      });
      log(`    ${n} open (${connected.failed} failed) in ${round(connected.ms)} ms; ${round((after.rss - before.rss) / n)} B RSS/conn`);

      let subscribed = 0;
      for (const size of sizes) {
        if (size > n) {
          fanout.push({ system: subject.system, label: subject.label, subscribers: size, skipped: `only ${n} connections open` });
          continue;
        }
        await load.call('subscribe', { channel: 'fanout', from: subscribed, to: size });
        subscribed = size;
        await sleep(200);
        const results = await load.call('fanout', { system: subject.system, url, token, channel: 'fanout', rounds, expected: size, firstSeq: size * 100 });
        const complete = results.filter((r) => r.delivered === size);
        const lasts = complete.map((r) => max(r.times));
        const all = complete.flatMap((r) => r.times);
        fanout.push({
          system: subject.system,
          label: subject.label,
          subscribers: size,
          rounds: results.length,
          completeRounds: complete.length,
          lostDeliveries: results.reduce((sum, r) => sum + (size - r.delivered), 0),
          deliveriesPerSecond: round(median(lasts.map((ms) => size / (ms / 1000)))),
          timeToLastP50Ms: round(median(lasts)),
          timeToLastP99Ms: round(percentile(lasts, 99)),
          deliveryP50Ms: round(percentile(all, 50)),
          deliveryP99Ms: round(percentile(all, 99)),
        });
        const row = fanout.at(-1);
        log(`    N=${size}: ${row.deliveriesPerSecond} deliveries/s, last p50 ${row.timeToLastP50Ms} ms, p99 ${row.timeToLastP99Ms} ms (${complete.length}/${results.length} complete)`);
      }
      await load.call('closeAll');
    } finally {
      await load.stop();
      await server.stop();
    }
  }
  for (const row of memory) {
    const raw = memory.find((r) => r.system === 'raw');
    row.rssVsRaw = round(ratio(row.rssPerConnection, raw?.rssPerConnection));
    row.heapVsRaw = round(ratio(row.heapPerConnection, raw?.heapPerConnection));
  }
  for (const row of fanout) {
    const raw = fanout.find((r) => r.system === 'raw' && r.subscribers === row.subscribers);
    row.throughputVsRaw = round(ratio(row.deliveriesPerSecond, raw?.deliveriesPerSecond));
  }
  return { memory, fanout };
}
