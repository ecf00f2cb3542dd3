// Section 6: `n` connected, subscribed clients; the server crashes (SIGKILL,
// so every client loses it in the same instant, the worst case for a herd)
// and a new process starts on the same port. Measures how the reconnect attempts
// spread over time and how long until every client is subscribed again.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { BIN, startBin } from '../lib/bin.mjs';
import { startProcess, sleep } from '../lib/proc.mjs';
import { max, median, percentile, round } from '../lib/stats.mjs';

const BUCKET_MS = 100;
const PROBE_EVERY_MS = 50;
/** Both herds stay connected this long before the crash: longer than rtm-kit's 5 s "stable connection" window, after which its backoff starts over. */
const SETTLE_MS = 5_500;

/** Publishes probes of `epoch` every PROBE_EVERY_MS until `done()` or the deadline. */
async function probeUntil(publish, done, deadline, epoch) {
  while (Date.now() < deadline && !(await done())) {
    await publish(epoch).catch(() => {});
    await sleep(PROBE_EVERY_MS);
  }
}

/** The most attempts inside any window of `windowMs` (sliding, not aligned to buckets). */
function busiestWindow(times, windowMs) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function summarize({ label, system, n, stoppedAt, upAt, attempts, resubscribedAt, loopLagMaxMs, timedOut }) {
  const buckets = new Map();
  for (const t of attempts) {
    const bucket = Math.floor((t - stoppedAt) / BUCKET_MS);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  const times = resubscribedAt.map((t) => t - stoppedAt);
  const histogram = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, count]) => ({ fromMs: bucket * BUCKET_MS, count }));
  return {
    system,
    label,
    clients: n,
    runs: 1,
    downtimeMs: upAt - stoppedAt,
    attempts: attempts.length,
    attemptsPerClient: round(attempts.length / n),
    maxAttemptsIn100ms: busiestWindow(attempts, BUCKET_MS),
    attemptsSpreadMs: attempts.length ? max(attempts) - Math.min(...attempts) : 0,
    resubscribed: resubscribedAt.length,
    resubscribedP50Ms: round(percentile(times, 50)),
    resubscribedP99Ms: round(percentile(times, 99)),
    allResubscribedMs: resubscribedAt.length === n ? max(times) : null,
    timedOut,
    loadLoopLagMaxMs: round(loopLagMaxMs),
    histogram,
  };
}

async function herdRtm({ n, deadlineMs }) {
  const secret = randomBytes(32).toString('hex');
  const apiKey = randomBytes(16).toString('hex');
  const env = { RTM_JWT_SECRET: secret, RTM_API_KEY: apiKey };
  const token = execFileSync(process.execPath, [BIN, 'token', '--sub', 'bench-herd', '--ttl', '3600'], { env: { ...process.env, ...env } }).toString().trim();
  let server = await startBin(['--port', '0'], env);
  const port = server.port;
  const load = await startProcess('load/herd.mjs');
  const publish = (epoch) =>
    fetch(`${server.url}/api/broadcast`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'herd', eventName: 'probe', payload: { epoch } }),
    }).then((res) => res.arrayBuffer());
  try {
    await load.call('setup', { system: 'rtm', url: `ws://127.0.0.1:${port}/rtc`, token, n });
    await load.call('arm', { nextEpoch: 0 });
    await probeUntil(publish, async () => (await load.call('status')).resubscribed === n, Date.now() + deadlineMs, 0);
    await sleep(SETTLE_MS);
    const stoppedAt = await load.call('arm', { nextEpoch: 1 });
    await server.stop('SIGKILL');
    server = await startBin(['--port', String(port)], env);
    const upAt = Date.now();
    const deadline = stoppedAt + deadlineMs;
    await probeUntil(publish, async () => (await load.call('status')).resubscribed === n, deadline, 1);
    const { attempts, resubscribedAt, loopLagMaxMs } = await load.call('report');
    return summarize({ label: 'rtm-kit createClient (defaults)', system: 'rtm', n, stoppedAt, upAt, attempts, resubscribedAt, loopLagMaxMs, timedOut: Date.now() >= deadline });
  } finally {
    await load.call('closeAll').catch(() => {});
    await load.stop();
    await server.stop();
  }
}

async function herdSocketIo({ n, deadlineMs }) {
  let server = await startProcess('servers/socketio.mjs');
  const port = server.info.port;
  const url = `http://127.0.0.1:${port}`;
  const load = await startProcess('load/herd.mjs');
  let publisher;
  const connectPublisher = () => {
    publisher?.close();
    publisher = io(url, { transports: ['websocket'], reconnection: false });
  };
  const publish = (epoch) => {
    if (!publisher?.connected) {
      if (!publisher || !publisher.active) connectPublisher();
      return Promise.resolve();
    }
    return publisher.timeout(2_000).emitWithAck('publish', { room: 'herd', data: { eventName: 'probe', payload: { epoch } } });
  };
  try {
    await load.call('setup', { system: 'socketio', url, token: '', n });
    await load.call('arm', { nextEpoch: 0 });
    await probeUntil(publish, async () => (await load.call('status')).resubscribed === n, Date.now() + deadlineMs, 0);
    await sleep(SETTLE_MS);
    const stoppedAt = await load.call('arm', { nextEpoch: 1 });
    publisher.close();
    publisher = undefined;
    await server.stop('SIGKILL');
    server = await startProcess('servers/socketio.mjs', { env: { BENCH_PORT: String(port) } });
    const upAt = Date.now();
    const deadline = stoppedAt + deadlineMs;
    await probeUntil(publish, async () => (await load.call('status')).resubscribed === n, deadline, 1);
    const { attempts, resubscribedAt, loopLagMaxMs } = await load.call('report');
    return summarize({ label: 'socket.io-client io() (defaults)', system: 'socketio', n, stoppedAt, upAt, attempts, resubscribedAt, loopLagMaxMs, timedOut: Date.now() >= deadline });
  } finally {
    publisher?.close();
    await load.call('closeAll').catch(() => {});
    await load.stop();
    await server.stop();
  }
}

export async function run({ n = 2_000, runs = 3, deadlineMs = 30_000, log }) {
  const perRun = { rtm: [], socketio: [] };
  for (let r = 0; r < runs; r++) {
    for (const [system, herd] of [['rtm', herdRtm], ['socketio', herdSocketIo]]) {
      const row = await herd({ n, deadlineMs, log });
      log(`    run ${r + 1}/${runs} ${row.label}: ${row.attempts} attempts, most in 100 ms ${row.maxAttemptsIn100ms}, all resubscribed after ${row.allResubscribedMs} ms (server down ${row.downtimeMs} ms)`);
      perRun[system].push(row);
    }
  }
  const numeric = ['loadLoopLagMaxMs', 'downtimeMs', 'attempts', 'attemptsPerClient', 'maxAttemptsIn100ms', 'attemptsSpreadMs', 'resubscribed', 'resubscribedP50Ms', 'resubscribedP99Ms'];
  return Object.values(perRun).map((rows) => {
    const merged = { ...rows[0], runs: rows.length, deadlineMs, histogram: rows[0].histogram, timedOut: rows.some((row) => row.timedOut) };
    for (const key of numeric) merged[key] = round(median(rows.map((row) => row[key])));
    // "All resubscribed" only counts if every run got there; otherwise it is reported as not reached.
    merged.allResubscribedMs = rows.every((row) => row.allResubscribedMs != null) ? round(median(rows.map((row) => row.allResubscribedMs))) : null;
    merged.allResubscribedMaxMs = merged.allResubscribedMs == null ? null : max(rows.map((row) => row.allResubscribedMs));
    return merged;
  });
}
