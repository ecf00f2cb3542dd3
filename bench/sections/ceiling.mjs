// Section 7: how many concurrent connections the built rtm-server holds for
// 60 s with heartbeats on. Clients live in separate load processes (at most
// 10k each, each from its own loopback source address so no single address
// runs out of ephemeral ports); the target is bounded by the server's fd limit.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BIN, startBin } from '../lib/bin.mjs';
import { rssOf, startProcess, sleep } from '../lib/proc.mjs';
import { max, round } from '../lib/stats.mjs';
import { openRtc } from '../lib/wire.mjs';

const PER_PROCESS = 10_000;
/** File descriptors the server keeps for itself: listener, stdio, epoll, libuv, probes. */
const FD_RESERVE = 64;

export async function run({ cap = 50_000, holdMs = 60_000, sampleEveryMs = 5_000, heartbeatMs = 25_000, log }) {
  const secret = randomBytes(32).toString('hex');
  const env = { RTM_JWT_SECRET: secret };
  const token = execFileSync(process.execPath, [BIN, 'token', '--sub', 'bench-ceiling', '--ttl', '3600'], { env: { ...process.env, ...env } }).toString().trim();
  const server = await startBin(['--port', '0'], env);
  const wsUrl = `ws://127.0.0.1:${server.port}/rtc`;
  const target = Math.min(cap, (server.fdLimit ?? 1024) - FD_RESERVE);
  const bound = target === cap ? `the benchmark's cap of ${cap}` : `the server's open-file limit (${server.fdLimit}; raising it was ${server.fdLimit >= 65_536 ? 'allowed' : 'not permitted here'})`;
  log(`  target ${target} connections, bounded by ${bound}`);
  const loads = [];
  try {
    const count = Math.ceil(target / PER_PROCESS);
    for (let i = 0; i < count; i++) loads.push(await startProcess('load/clients.mjs'));
    const rampStart = performance.now();
    const shares = loads.map((_, i) => Math.min(PER_PROCESS, target - i * PER_PROCESS));
    const connected = await Promise.all(
      loads.map((load, i) =>
        load.call('connect', { system: 'rtm', url: wsUrl, token, n: shares[i], concurrency: 100, localAddress: `127.0.0.${2 + i}`, deadlineMs: 120_000 }, 180_000),
      ),
    );
    const rampMs = performance.now() - rampStart;
    const opened = connected.reduce((sum, c) => sum + c.open, 0);
    log(`    ${opened}/${target} connected in ${round(rampMs / 1000)} s; subscribing and holding ${holdMs / 1000} s`);
    await Promise.all(loads.map((load, i) => load.call('subscribe', { channel: `ceiling-${i}`, from: 0, to: shares[i] })));
    await Promise.all(loads.map((load) => load.call('startHeartbeat', { intervalMs: heartbeatMs })));

    const samples = [];
    const holdStart = performance.now();
    while (performance.now() - holdStart < holdMs) {
      await sleep(sampleEveryMs);
      const statuses = await Promise.all(loads.map((load) => load.call('status')));
      const t0 = performance.now();
      const health = await fetch(`${server.url}/healthz`).then((res) => res.status, () => 0);
      const healthMs = performance.now() - t0;
      // A newcomer must still get in and be answered while the crowd is held.
      const t1 = performance.now();
      let probeMs = null;
      try {
        const probe = await openRtc(wsUrl, token);
        await probe.ping();
        probeMs = performance.now() - t1;
        probe.close();
      } catch {
        probeMs = null;
      }
      samples.push({
        atS: round((performance.now() - holdStart) / 1000),
        open: statuses.reduce((sum, s) => sum + s.open, 0),
        heartbeatsSent: statuses.reduce((sum, s) => sum + s.heartbeat.sent, 0),
        heartbeatsFailed: statuses.reduce((sum, s) => sum + s.heartbeat.failed, 0),
        serverRss: rssOf(server.pid),
        healthStatus: health,
        healthMs: round(healthMs),
        probeConnectPingMs: probeMs === null ? null : round(probeMs),
      });
    }
    const final = samples.at(-1);
    const statuses = await Promise.all(loads.map((load) => load.call('status')));
    const closeCodes = {};
    for (const s of statuses) for (const [code, n] of Object.entries(s.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
    return {
      target,
      boundBy: bound,
      serverFdLimit: server.fdLimit,
      loadProcesses: loads.length,
      connected: opened,
      connectFailures: connected.reduce((sum, c) => sum + c.failed, 0),
      connectErrors: Object.assign({}, ...connected.map((c) => c.errors)),
      rampSeconds: round(rampMs / 1000),
      holdSeconds: holdMs / 1000,
      heldThroughout: Math.min(...samples.map((s) => s.open)),
      heldAtEnd: final.open,
      closeCodes,
      heartbeatIntervalS: heartbeatMs / 1000,
      heartbeatsSent: final.heartbeatsSent,
      heartbeatsFailed: final.heartbeatsFailed,
      serverRssAtEnd: final.serverRss,
      serverRssPerConnection: round(final.serverRss / Math.max(1, final.open)),
      healthzMaxMs: max(samples.map((s) => s.healthMs)),
      probeMaxMs: max(samples.map((s) => s.probeConnectPingMs ?? Infinity)),
      samples,
    };
  } finally {
    for (const load of loads) {
      await load.call('closeAll').catch(() => {});
      await load.stop();
    }
    await server.stop();
  }
}
