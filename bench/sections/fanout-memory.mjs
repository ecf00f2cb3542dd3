// Sections 4 and 5 share their connections. Each system gets a server process
// and a load process holding 10k connections; memory is read with everyone
// idle. Then growing subsets subscribe to one channel and receive single
// publishes, the systems taking turns round by round (who goes first rotates)
// so that noise on the shared cores falls on all of them alike.
import { startProcess, sleep } from '../lib/proc.mjs';
import { max, median, percentile, ratio, round } from '../lib/stats.mjs';

export const SYSTEMS = [
  { system: 'rtm', label: 'rtm-kit (rtm-server)', server: 'servers/rtm.mjs' },
  { system: 'raw', label: 'raw ws relay (limit)', server: 'servers/raw.mjs' },
  { system: 'socketio', label: 'socket.io 4 (rooms)', server: 'servers/socketio.mjs' },
];

async function readMemory(server) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    samples.push(await server.call('memory'));
    await sleep(300);
  }
  return { rss: median(samples.map((s) => s.rss)), heapUsed: median(samples.map((s) => s.heapUsed)), samples: samples.length };
}

export async function run({ connections = 10_000, sizes = [1_000, 5_000, 10_000], rounds = 15, warmupRounds = 2, log }) {
  const memory = [];
  const fanout = [];
  const live = [];
  try {
    for (const subject of SYSTEMS) {
      const server = await startProcess(subject.server, { nodeArgs: ['--expose-gc'] });
      const load = await startProcess('load/clients.mjs');
      const url = subject.system === 'socketio' ? server.info.url : server.info.ws;
      const token = subject.system === 'rtm' ? await server.call('token', { sub: 'bench-load', ttl: 3600 }) : '';
      live.push({ ...subject, server, load, url, token });
      await sleep(300);
      const before = await readMemory(server);
      // Connections open in two halves. From the baseline, the figure also carries what grows once however many
      // connect (V8's young generation grows to its 32 MiB maximum while they do, up to ~3 KB a connection
      // at 10,000); the second half's own cost is the marginal figure.
      const first = await load.call('connect', { system: subject.system, url, token, n: connections / 2, concurrency: 100 });
      await sleep(1_000);
      const half = await readMemory(server);
      const second = await load.call('connect', { system: subject.system, url, token, n: connections - connections / 2, concurrency: 100 });
      await sleep(1_000);
      const after = await readMemory(server);
      const connected = { open: second.open, failed: first.failed + second.failed, ms: first.ms + second.ms };
      const n = connected.open;
      const added = second.open - first.open;
      live.at(-1).open = n;
      memory.push({
        system: subject.system,
        label: subject.label,
        connections: n,
        failed: connected.failed,
        connectsPerSecond: round(n / (connected.ms / 1000)),
        rssPerConnection: round((after.rss - before.rss) / n),
        heapPerConnection: round((after.heapUsed - before.heapUsed) / n),
        rssMarginal: round((after.rss - half.rss) / added),
        heapMarginal: round((after.heapUsed - half.heapUsed) / added),
        rssBaseline: before.rss,
        rssAt: after.rss,
        heapBaseline: before.heapUsed,
        heapAt: after.heapUsed,
        samples: after.samples,
      });
      const row = memory.at(-1);
      log(`  ${subject.label}: ${n} open (${connected.failed} failed) in ${round(connected.ms)} ms; ${row.rssPerConnection} B RSS/conn (second half ${row.rssMarginal} B)`);
    }

    let subscribed = 0;
    for (const size of sizes) {
      const ready = live.filter((s) => s.open >= size);
      for (const s of live.filter((x) => x.open < size)) fanout.push({ system: s.system, label: s.label, subscribers: size, skipped: `only ${s.open} connections open` });
      for (const s of ready) await s.load.call('subscribe', { channel: 'fanout', from: subscribed, to: size });
      subscribed = size;
      await sleep(500);
      const perSystem = Object.fromEntries(ready.map((s) => [s.system, []]));
      let seq = size * 1_000;
      for (let r = 0; r < warmupRounds + rounds; r++) {
        // Who goes first rotates: on shared cores the position in a round alone moved rates by 15 %.
        for (const s of ready.map((_, i) => ready[(i + r) % ready.length])) {
          const [result] = await s.load.call('fanout', { system: s.system, url: s.url, token: s.token, channel: 'fanout', rounds: 1, expected: size, firstSeq: seq++ });
          if (r >= warmupRounds) perSystem[s.system].push(result);
        }
      }
      for (const s of ready) {
        const results = perSystem[s.system];
        const complete = results.filter((r) => r.delivered === size);
        const lasts = complete.map((r) => max(r.times));
        const all = complete.flatMap((r) => r.times);
        fanout.push({
          system: s.system,
          label: s.label,
          subscribers: size,
          rounds: results.length,
          completeRounds: complete.length,
          lostDeliveries: results.reduce((sum, r) => sum + (size - r.delivered), 0),
          deliveriesPerSecond: round(median(lasts.map((ms) => size / (ms / 1000)))),
          timeToLastP50Ms: round(median(lasts)),
          timeToLastP99Ms: round(percentile(lasts, 99)),
          deliveryP50Ms: round(percentile(all, 50)),
          deliveryP99Ms: round(percentile(all, 99)),
          // Per round: rate / the raw relay's rate in the same round index.
          perRoundRates: results.map((r) => (r.delivered === size ? size / (max(r.times) / 1000) : null)),
        });
        const row = fanout.at(-1);
        log(`  N=${size} ${s.label}: ${row.deliveriesPerSecond} deliveries/s, last p50 ${row.timeToLastP50Ms} ms, p99 ${row.timeToLastP99Ms} ms (${complete.length}/${results.length} complete)`);
      }
    }
  } finally {
    for (const s of live) {
      await s.load.call('closeAll').catch(() => {});
      await s.load.stop();
      await s.server.stop();
    }
  }
  for (const row of memory) {
    const raw = memory.find((r) => r.system === 'raw');
    row.rssVsRaw = round(ratio(row.rssPerConnection, raw?.rssPerConnection));
    row.heapVsRaw = round(ratio(row.heapPerConnection, raw?.heapPerConnection));
    row.rssMarginalVsRaw = round(ratio(row.rssMarginal, raw?.rssMarginal));
    row.heapMarginalVsRaw = round(ratio(row.heapMarginal, raw?.heapMarginal));
  }
  for (const row of fanout) {
    const raw = fanout.find((r) => r.system === 'raw' && r.subscribers === row.subscribers);
    if (!row.perRoundRates || !raw?.perRoundRates) continue;
    const ratios = row.perRoundRates.map((rate, i) => ratio(rate, raw.perRoundRates[i])).filter((v) => v !== null);
    row.throughputVsRaw = round(median(ratios));
  }
  for (const row of fanout) delete row.perRoundRates;
  return { memory, fanout };
}
