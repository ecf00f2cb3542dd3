// Load generator process: holds many connections of one system and runs
// fan-out rounds and liveness checks on them. Driven by the parent over IPC.
import { performance } from 'node:perf_hooks';
import { serveParent } from '../lib/proc.mjs';
import { OPENERS, seqOf } from '../lib/wire.mjs';

const peers = [];
let closedCount = 0;
const closeCodes = {};
let heartbeat;
let heartbeatStats = { sent: 0, failed: 0 };

// One fan-out round at a time: deliveries are matched to it by seq.
let round;

function watch(peer) {
  peer.onMessage = (message) => {
    if (!round || seqOf(message) !== round.seq) return;
    round.times.push(performance.now() - round.sentAt);
    if (round.times.length === round.expected) round.done();
  };
  const onClose = (code) => {
    closedCount++;
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  };
  if (peer.ws) peer.ws.on('close', onClose);
  else peer.socket.on('disconnect', (reason) => onClose(reason));
}

/** Opens `n` connections, `concurrency` at a time; failures are counted, not retried. */
async function connect({ system, url, token, n, concurrency = 200, localAddress, deadlineMs = 60_000 }) {
  const open = OPENERS[system];
  const started = performance.now();
  const deadline = started + deadlineMs;
  let issued = 0;
  let failed = 0;
  const errors = {};
  const worker = async () => {
    while (issued < n && performance.now() < deadline) {
      issued++;
      try {
        const peer = await open(url, token, { localAddress });
        watch(peer);
        peers.push(peer);
      } catch (error) {
        failed++;
        const key = String(error?.code ?? error?.message ?? error).slice(0, 80);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { open: peers.length, failed, errors, ms: performance.now() - started };
}

/**
 * Subscribes connections [from, to) to `channel`; with `filters: 'distinct'`, each with a filter of its own (RTC only),
 * with `filters: 'one'` only the first of them; every such filter admits every benchmark message (seq ≥ 0).
 */
async function subscribe({ channel, from, to, concurrency = 500, filters = 'none' }) {
  const started = performance.now();
  let next = from;
  let failed = 0;
  const worker = async () => {
    while (next < Math.min(to, peers.length)) {
      const index = next++;
      const filtered = filters === 'distinct' || (filters === 'one' && index === from);
      await peers[index].subscribe(channel, filtered ? { 'payload.seq': [-(index + 1), { $gte: 0 }] } : undefined).catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { subscribed: Math.min(to, peers.length) - from - failed, failed, ms: performance.now() - started };
}

let publisher;

/**
 * Publishes `rounds` messages one after another from a separate connection
 * (opened on first use, then kept); each round waits for all `expected` deliveries.
 */
async function fanout({ system, url, token, channel, rounds, expected, timeoutMs = 10_000, firstSeq = 0 }) {
  publisher ??= await OPENERS[system](url, token);
  const results = [];
  for (let i = 0; i < rounds; i++) {
    const seq = firstSeq + i;
    const finished = new Promise((resolve) => {
      round = { seq, expected, times: [], sentAt: 0, done: resolve };
    });
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    round.sentAt = performance.now();
    publisher.publish(channel, 'm', { seq, text: 'x'.repeat(64) }).catch(() => {});
    await Promise.race([finished, timeout]);
    clearTimeout(timer);
    const { times } = round;
    round = undefined;
    results.push({ delivered: times.length, times: times.slice() });
    // Let the server and the sockets settle so rounds do not overlap.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return results;
}

/** Starts the liveness traffic an idle SDK client sends: an RTC ping per connection every `intervalMs`, spread evenly. */
function startHeartbeat({ intervalMs = 25_000 }) {
  clearInterval(heartbeat);
  heartbeatStats = { sent: 0, failed: 0 };
  const tickMs = 100;
  const perTick = Math.max(1, Math.ceil((peers.length * tickMs) / intervalMs));
  let cursor = 0;
  heartbeat = setInterval(() => {
    for (let k = 0; k < perTick && peers.length > 0; k++) {
      const peer = peers[cursor++ % peers.length];
      heartbeatStats.sent++;
      peer.ping().catch(() => heartbeatStats.failed++);
    }
  }, tickMs);
  return { perTick, tickMs };
}

function status() {
  return { open: peers.length - closedCount, connected: peers.length, closed: closedCount, closeCodes, heartbeat: heartbeatStats };
}

async function closeAll() {
  clearInterval(heartbeat);
  publisher?.close();
  publisher = undefined;
  for (const peer of peers) peer.close();
  peers.length = 0;
  return status();
}

serveParent({ connect, subscribe, fanout, startHeartbeat, status, closeAll }, { pid: process.pid });
