// Section 8: one rtm-server vs three on one Redis, the same load on both.
// A throw-away redis-server on a free loopback port; rtm-server processes
// (bench/servers/rtm.mjs) with --redis; subscribers spread evenly over the
// instances, one publisher on the first. Each run publishes at a fixed rate
// and counts every delivery, so deliveries/s, loss and the latency tail
// (publish → receive, p99) are measured under the same offered load.
import { spawn } from 'node:child_process';
import { LOAD_OPTIONS } from '../lib/load-settings.mjs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { openRtc } from '../lib/wire.mjs';
import { startProcess } from '../lib/proc.mjs';
import { max, median, percentile, round } from '../lib/stats.mjs';

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.once('error', (error) => (clearTimeout(timer), reject(new Error(`cannot run redis-server: ${error.message}`))));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) clearTimeout(timer), child.stdout.resume(), resolve();
    });
  });
  const version = await new Promise((resolve) => {
    const probe = spawn('redis-server', ['--version']);
    let text = '';
    probe.stdout.on('data', (chunk) => (text += chunk));
    probe.on('close', () => resolve(/v=(\S+)/.exec(text)?.[1] ?? null));
    probe.on('error', () => resolve(null));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    version,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
  };
}

/** Starts `count` rtm-server processes on `redisUrl` (none: in memory) sharing one secret; the per-connection rate limit is lifted for the publisher. */
async function startInstances(count, redisUrl) {
  const secret = randomBytes(32).toString('hex');
  const base = JSON.parse(LOAD_OPTIONS);
  const options = { ...base, ...(redisUrl ? { redis: redisUrl } : {}), secret, dev: true, limits: { ...base.limits, rateBurst: 1_000_000, ratePerSecond: 1_000_000 } };
  const instances = [];
  for (let i = 0; i < count; i++) instances.push(await startProcess('servers/rtm.mjs', { env: { BENCH_RTM_OPTIONS: JSON.stringify(options) } }));
  // Readiness means both Redis connections are up (and the bus subscribed).
  for (const instance of instances) {
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${instance.info.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('an rtm-server instance did not become ready on Redis');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return instances;
}

const SEQ = /"payload":\{"seq":(\d+),"t":([\d.]+)/;

/** Publishes `rate` msg/s for `durationMs` from `publisher` and waits until every subscriber has had each (or 5 s pass). */
async function measure({ publisher, subscribers, channel, rate, durationMs, firstSeq }) {
  const total = Math.round((rate * durationMs) / 1000);
  const expected = total * subscribers.length;
  const latencies = [];
  let delivered = 0;
  let duplicates = 0;
  let lastAt = 0;
  const seen = subscribers.map(() => new Set());
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  subscribers.forEach((peer, index) => {
    peer.onMessage = (text) => {
      const match = SEQ.exec(text);
      if (!match) return;
      const seq = Number(match[1]);
      if (seq < firstSeq || seq >= firstSeq + total) return;
      if (seen[index].has(seq)) return void duplicates++;
      seen[index].add(seq);
      const now = performance.now();
      latencies.push(now - Number(match[2]));
      lastAt = now;
      if (++delivered === expected) done();
    };
  });
  const started = performance.now();
  let failed = 0;
  for (let i = 0; i < total; i++) {
    // Each message leaves at its scheduled time, stamped with it, so a lagging sender shows up as latency.
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    publisher.publish(channel, 'm', { seq: firstSeq + i, t: due }).catch(() => failed++);
  }
  const timeout = new Promise((resolve) => setTimeout(resolve, 5_000));
  await Promise.race([finished, timeout]);
  const seconds = ((lastAt || performance.now()) - started) / 1000;
  return { sent: total, failedPublishes: failed, expected, delivered, duplicates, seconds, latencies };
}

/** What is compared: one instance in memory (the baseline without Redis), then 1 and 3 instances on Redis. */
const TOPOLOGIES = [
  { instances: 1, redis: false },
  { instances: 1, redis: true },
  { instances: 3, redis: true },
];

export async function run({ subscribers = 300, rates = [100, 400, 800], durationMs = 2_000, runs = 2, log }) {
  const redis = await startRedis();
  const rows = [];
  let seq = 0;
  try {
    for (const topology of TOPOLOGIES) {
      const count = topology.instances;
      const instances = await startInstances(count, topology.redis ? redis.url : undefined);
      const peers = [];
      try {
        const token = await instances[0].call('token', { sub: 'bench-cluster', ttl: 3600 });
        for (let i = 0; i < subscribers; i++) peers.push(await openRtc(instances[i % count].info.ws, token));
        const channel = `cluster-${count}-${topology.redis}`;
        await Promise.all(peers.map((peer) => peer.subscribe(channel)));
        const publisher = await openRtc(instances[0].info.ws, token);
        peers.push(publisher);
        // Warm-up: JIT, sockets and Redis, discarded.
        await measure({ publisher, subscribers: peers.slice(0, -1), channel, rate: 200, durationMs: 500, firstSeq: (seq += 100_000) });
        for (const rate of rates) {
          const samples = [];
          for (let r = 0; r < runs; r++) samples.push(await measure({ publisher, subscribers: peers.slice(0, -1), channel, rate, durationMs, firstSeq: (seq += 100_000) }));
          const all = samples.flatMap((s) => s.latencies);
          rows.push({
            instances: count,
            redis: topology.redis,
            subscribers,
            rate,
            runs,
            offeredDeliveriesPerSecond: rate * subscribers,
            deliveriesPerSecond: round(median(samples.map((s) => s.delivered / s.seconds))),
            lost: samples.reduce((sum, s) => sum + s.expected - s.delivered, 0),
            duplicates: samples.reduce((sum, s) => sum + s.duplicates, 0),
            failedPublishes: samples.reduce((sum, s) => sum + s.failedPublishes, 0),
            p50Ms: round(median(samples.map((s) => percentile(s.latencies, 50)))),
            p99Ms: round(median(samples.map((s) => percentile(s.latencies, 99)))),
            maxMs: round(max(all)),
          });
          const row = rows.at(-1);
          log(`  ${count} instance(s)${topology.redis ? ' on Redis' : ' in memory'}, ${rate} msg/s × ${subscribers}: ${row.deliveriesPerSecond} deliveries/s, p99 ${row.p99Ms} ms, lost ${row.lost}`);
        }
      } finally {
        for (const peer of peers) peer.close();
        for (const instance of instances) await instance.stop();
      }
    }
  } finally {
    await redis.stop();
  }
  return { redis: redis.version, subscribers, durationMs, rows };
}

/** The section of RESULTS.md. */
export function render(c, { n, section }) {
  return section(
    '## 8. One instance vs three on Redis',
    `A redis-server ${c.redis ?? ''} on a free loopback port (no persistence); 1 or 3 rtm-server processes (\`bench/servers/rtm.mjs\`, \`--redis\`), all on this machine's cores. ${n(c.subscribers)} RTC subscribers spread evenly over the instances, one publisher on the first; every message goes through Redis (Lua: offset, stream entry, Pub/Sub) and each instance fans out to its own subscribers. Messages leave at a fixed rate for ${n(c.durationMs / 1000)} s per run, stamped with their scheduled time; latency is publish → receive in the runner process, which holds all clients. Deliveries/s: deliveries over the time from the first scheduled send to the last delivery (median of runs); p50/p99: medians over runs; max over all runs. Same load on both topologies; on one machine, three instances add processes, not cores.`,
    ['instances', 'msg/s × subscribers', 'offered deliveries/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'duplicates', 'runs'],
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    c.rows.map((r) => [
      `${r.instances}${r.redis ? ' on Redis' : ' in memory'}`,
      `${n(r.rate)} × ${n(r.subscribers)}`,
      n(r.offeredDeliveriesPerSecond),
      `**${n(r.deliveriesPerSecond)}**`,
      n(r.p50Ms, 2),
      `**${n(r.p99Ms, 2)}**`,
      n(r.maxMs, 1),
      n(r.lost),
      n(r.duplicates),
      r.runs,
    ]),
  );
}
