// Latency load process: one publisher and one receiver per system, each the
// system's own Node client (rtm-kit's createClient, socket.io-client, raw ws),
// so publish → receive is measured through the SDKs a user would run.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { createClient } from '../../dist/rtm.js';
import { serveParent } from '../lib/proc.mjs';
import { openRaw, openSocketIo } from '../lib/wire.mjs';
import { max, percentile } from '../lib/stats.mjs';

const pairs = {};
const PAD = 'x'.repeat(64);

async function rtmPair(url, token, transports) {
  const publisher = createClient({ url, token, WebSocket, transports });
  const receiver = createClient({ url, token, WebSocket, transports });
  await Promise.all([publisher.ready(), receiver.ready()]);
  const pub = publisher.channel('latency');
  const sub = receiver.channel('latency');
  let onSeq = () => {};
  // Wait for the subscription to be live: a message published after it must arrive.
  const live = new Promise((resolve) => sub.on('probe', () => resolve()));
  sub.on('m', (payload) => onSeq(payload.seq));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pub.publish('probe', {});
  await live;
  return {
    publish: (seq) => pub.publish('m', { seq, text: PAD }).catch(() => {}),
    set onSeq(fn) {
      onSeq = fn;
    },
    close: () => (publisher.close(), receiver.close()),
  };
}

async function peerPair(open, url) {
  const publisher = await open(url, '');
  const receiver = await open(url, '');
  await receiver.subscribe('latency');
  let onSeq = () => {};
  receiver.onMessage = (message) => {
    const data = typeof message === 'string' ? JSON.parse(message).data : message;
    if (data?.eventName === 'm') onSeq(data.payload.seq);
  };
  return {
    publish: (seq) => publisher.publish('latency', 'm', { seq, text: PAD }).catch(() => {}),
    set onSeq(fn) {
      onSeq = fn;
    },
    close: () => (publisher.close(), receiver.close()),
  };
}

/** `transports` (rtm-kit only) pins the client to some transports, e.g. `['long-poll']`; `system` is then any name. */
async function setup({ system, url, token, transports }) {
  pairs[system] = system.startsWith('rtm') ? await rtmPair(url, token, transports) : await peerPair(system === 'raw' ? openRaw : openSocketIo, url);
  return true;
}

/** Sends `count` messages as fast as acknowledgements allow, at most `window` unacknowledged; answers deliveries per second. */
async function throughput({ system, count, window = 100, drainMs = 10_000 }) {
  const pair = pairs[system];
  let received = 0;
  let done = () => {};
  const all = new Promise((resolve) => (done = resolve));
  pair.onSeq = () => ++received === count && done();
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    while (next < count) await pair.publish(next++);
  };
  await Promise.all(Array.from({ length: window }, sender));
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, drainMs))]);
  const seconds = (performance.now() - started) / 1000;
  pair.onSeq = () => {};
  return { sent: count, received, messagesPerSecond: received / seconds };
}

/**
 * Publishes at a fixed rate for `durationMs`. Latency counts from each
 * message's scheduled send time, so a sender that falls behind shows up in the
 * figures instead of hiding (no coordinated omission).
 */
async function measure({ system, rate, durationMs, drainMs = 2_000 }) {
  const pair = pairs[system];
  const total = Math.round((rate * durationMs) / 1000);
  const scheduled = new Float64Array(total);
  const latencies = [];
  let duplicates = 0;
  const seen = new Uint8Array(total);
  pair.onSeq = (seq) => {
    if (seq < 0 || seq >= total) return;
    if (seen[seq]) return void duplicates++;
    seen[seq] = 1;
    latencies.push(performance.now() - scheduled[seq]);
  };
  // The load process's own stalls (GC, the VM) land in every figure; report them next to the latencies.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const cpuBefore = process.cpuUsage();
  const start = performance.now() + 5;
  let next = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        scheduled[next] = start + (next * 1000) / rate;
        pair.publish(next);
        next++;
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  const deadline = performance.now() + drainMs;
  while (latencies.length < total && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  pair.onSeq = () => {};
  lag.disable();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    // Publisher and receiver share this process: its CPU time per message is both clients' cost, wall-clock free.
    cpuUsPerMessage: (cpu.user + cpu.system) / total,
    loopLagMaxMs: lag.max / 1e6,
    sent: total,
    received: latencies.length,
    duplicates,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: max(latencies),
  };
}

async function closeAll() {
  for (const pair of Object.values(pairs)) pair.close();
  return true;
}

serveParent({ setup, measure, throughput, closeAll }, { pid: process.pid });
