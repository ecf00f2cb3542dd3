// Load process of the soak section: holds many RTC connections for minutes while
// publishers send a steady rate through mixed channels, some connections move
// between channels (unsubscribe one, subscribe another) and a few drop and
// reconnect every second. It checks that every live subscriber gets every
// message published to its channel while it was subscribed. Driven over IPC.
import { performance } from 'node:perf_hooks';
import { serveParent } from '../lib/proc.mjs';
import { openRtc } from '../lib/wire.mjs';

/**
 * Channel popularity is skewed the way real traffic is: a few hot channels hold
 * most subscribers, a long tail holds a handful each.
 */
function pickChannel(channels) {
  return `soak-${Math.floor(channels * Math.random() ** 1.5)}`;
}

/** Messages received in order on one connection for one channel, from `from` (the first seq it must get) on. */
class Window {
  constructor(from) {
    this.from = from;
    this.next = from;
    this.got = 0;
    this.duplicates = 0;
  }

  receive(seq) {
    if (seq < this.from) return; // published before the subscription was confirmed: may or may not arrive
    if (seq < this.next) this.duplicates++;
    else {
      this.got++;
      this.next = seq + 1;
    }
  }

  /** Messages of [from, last] that never arrived, not counting publishes that failed (never published, so not lost). */
  lost(last, failed = []) {
    const unpublished = failed.filter((seq) => seq >= this.from && seq <= last).length;
    return Math.max(0, last - this.from + 1 - unpublished - this.got);
  }
}

const state = {
  url: '',
  token: '',
  channels: 0,
  peers: [], // { rtc, windows: Map<channel, Window>, busy }
  publishers: [],
  /** Per channel: next seq to publish, and the highest seq every publish up to which is acknowledged. */
  seq: new Map(),
  acked: new Map(),
  /** Per channel: seqs whose publish failed (refused, or its connection dropped first). */
  failed: new Map(),
  totals: { published: 0, publishFailed: 0, publisherCloses: 0, delivered: 0, lost: 0, duplicates: 0, windowsChecked: 0, subscribes: 0, unsubscribes: 0, reconnects: 0, churnFailed: 0, reconnectFailed: 0, unexpectedCloses: 0 },
  timers: [],
  closeCodes: {},
  /** Why churn and reconnects failed, by message, so a report can say whether the server refused or was too slow. */
  failures: {},
};

function noteFailure(kind, error) {
  const key = `${kind}: ${String(error?.message ?? error).slice(0, 80)}`;
  state.failures[key] = (state.failures[key] ?? 0) + 1;
}

/** Channel and seq of a soak event, read without parsing the whole frame (the load process must stay cheap). */
function parse(text) {
  const at = text.indexOf('"seq":');
  const name = text.indexOf('"soak-');
  if (at < 0 || name < 0) return null;
  return { channel: text.slice(name + 1, text.indexOf('"', name + 1)), seq: Number.parseInt(text.slice(at + 6), 10) };
}

const FILLER = 'x'.repeat(1_000);

async function openPeer(peer) {
  const rtc = await openRtc(state.url, state.token);
  peer.rtc = rtc;
  peer.windows = new Map();
  rtc.onMessage = (text) => {
    const event = parse(text);
    if (!event) return;
    state.totals.delivered++;
    peer.windows.get(event.channel)?.receive(event.seq);
  };
  rtc.ws.on('close', (code) => {
    if (rtc.dropped) return;
    state.totals.unexpectedCloses++;
    state.closeCodes[code] = (state.closeCodes[code] ?? 0) + 1;
  });
}

async function subscribe(peer, channel) {
  await peer.rtc.subscribe(channel);
  state.totals.subscribes++;
  // Every publish sent from now on is handled by the server after this subscription exists.
  peer.windows.set(channel, new Window(state.seq.get(channel) ?? 0));
}

/** Checks one window against what was acknowledged as published, then forgets it. */
function settle(peer, channel) {
  const window = peer.windows.get(channel);
  if (!window) return;
  peer.windows.delete(channel);
  const last = (state.acked.get(channel) ?? 0) - 1;
  state.totals.lost += window.lost(last, state.failed.get(channel));
  state.totals.duplicates += window.duplicates;
  state.totals.windowsChecked++;
}

async function unsubscribe(peer, channel) {
  // Publishes acknowledged before this frame is sent were fanned out before the server sees it: check up to them.
  const last = state.acked.get(channel) ?? 0;
  const window = peer.windows.get(channel);
  const command = peer.rtc.unsubscribe(channel);
  await command;
  state.totals.unsubscribes++;
  if (window) {
    peer.windows.delete(channel);
    state.totals.lost += window.lost(last - 1, state.failed.get(channel));
    state.totals.duplicates += window.duplicates;
    state.totals.windowsChecked++;
  }
}

async function start({ url, token, connections = 2_000, channels = 200, perPeer = 1, publishers = 4, rate = 500, churnPerSecond = 20, reconnectsPerSecond = 3, concurrency = 100 }) {
  Object.assign(state, { url, token, channels });
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < connections) {
      const peer = { windows: new Map() };
      next++;
      try {
        await openPeer(peer);
        for (let k = 0; k < perPeer; k++) {
          const channel = pickChannel(channels);
          if (!peer.windows.has(channel)) await subscribe(peer, channel);
        }
        state.peers.push(peer);
      } catch {
        failed++;
        peer.rtc?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // A publisher the server drops is counted and replaced, so the rate holds.
  const openPublisher = async (i) => {
    const rtc = await openRtc(url, token);
    state.publishers[i] = rtc;
    rtc.ws.on('close', (code) => {
      if (state.finished) return;
      state.totals.publisherCloses++;
      state.closeCodes[`publisher ${code}`] = (state.closeCodes[`publisher ${code}`] ?? 0) + 1;
      openPublisher(i).catch(() => {});
    });
  };
  for (let i = 0; i < publishers; i++) await openPublisher(i);

  // Publishing: `rate` messages a second, in 10 ms ticks, channels drawn with the same skew as subscriptions.
  // Each channel has one publisher connection, so its publishes are acknowledged in seq order.
  let credit = 0;
  let last = performance.now();
  state.timers.push(
    setInterval(() => {
      const now = performance.now();
      credit += ((now - last) / 1000) * rate;
      last = now;
      for (; credit >= 1; credit--) {
        const channel = pickChannel(channels);
        const index = Number(channel.slice(5));
        const seq = state.seq.get(channel) ?? 0;
        state.seq.set(channel, seq + 1);
        state.totals.published++;
        // Payload sizes vary from a few bytes to ~1 KB, as mixed traffic does.
        const payload = { seq, text: FILLER.slice(0, (seq * 37) % 1_000) };
        state.publishers[index % state.publishers.length].publish(channel, 'm', payload).then(
          () => state.acked.set(channel, Math.max(state.acked.get(channel) ?? 0, seq + 1)),
          () => {
            state.totals.publishFailed++;
            state.failed.set(channel, [...(state.failed.get(channel) ?? []), seq]);
          },
        );
      }
    }, 10),
  );

  // Churn: connections leave one channel and join another.
  state.timers.push(
    setInterval(() => {
      for (let k = 0; k < churnPerSecond / 10; k++) {
        const peer = state.peers[Math.floor(Math.random() * state.peers.length)];
        if (!peer || peer.busy || peer.rtc.dropped) continue;
        peer.busy = true;
        const [leave] = peer.windows.keys();
        const join = pickChannel(channels);
        (async () => {
          if (leave !== undefined) await unsubscribe(peer, leave);
          if (!peer.windows.has(join)) await subscribe(peer, join);
        })()
          .catch((error) => {
            state.totals.churnFailed++;
            noteFailure('churn', error);
          })
          .finally(() => (peer.busy = false));
      }
    }, 100),
  );

  // Reconnects: a connection drops without a goodbye and comes back with the same channels. One that could not
  // come back is retried first on the next tick, so the connection count holds and its old windows are not checked.
  const down = [];
  const reconnect = (peer, channels) => {
    peer.busy = true;
    (async () => {
      await openPeer(peer);
      for (const channel of channels) await subscribe(peer, channel);
      state.totals.reconnects++;
    })()
      .catch((error) => {
        state.totals.reconnectFailed++;
        noteFailure('reconnect', error);
        // A subscription confirmed before the failure ends unchecked, like any on a dropped socket.
        peer.windows = new Map();
        peer.rtc.dropped = true;
        peer.rtc.close();
        down.push({ peer, channels });
      })
      .finally(() => (peer.busy = false));
  };
  state.timers.push(
    setInterval(() => {
      for (const { peer, channels } of down.splice(0, down.length)) reconnect(peer, channels);
      for (let k = 0; k < reconnectsPerSecond; k++) {
        const peer = state.peers[Math.floor(Math.random() * state.peers.length)];
        if (!peer || peer.busy || peer.rtc.dropped) continue;
        const channels = [...peer.windows.keys()];
        // Messages in flight when a socket drops are legitimately lost: this connection's windows end here, unchecked.
        peer.windows = new Map();
        peer.rtc.dropped = true;
        peer.rtc.close();
        reconnect(peer, channels);
      }
    }, 1_000),
  );
  return { open: state.peers.length, failed, ms: performance.now() - started };
}

function status() {
  let subscriptions = 0;
  for (const peer of state.peers) subscriptions += peer.windows.size;
  return { ...state.totals, closeCodes: state.closeCodes, failures: state.failures, connections: state.peers.length, subscriptions, memory: process.memoryUsage().rss };
}

/** Stops traffic, waits until every publish is acknowledged and every delivery read, then checks every open window. */
async function finish({ drainMs = 3_000 } = {}) {
  for (const timer of state.timers) clearInterval(timer);
  state.timers = [];
  const deadline = performance.now() + 30_000;
  const outstanding = () => [...state.seq].some(([channel, seq]) => (state.acked.get(channel) ?? 0) < seq) || state.peers.some((p) => p.busy);
  while (outstanding() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  // Deliveries of the last publishes may still sit in socket buffers behind this busy process: read until none arrive.
  let seen = -1;
  while (state.totals.delivered !== seen && performance.now() < deadline + 60_000) {
    seen = state.totals.delivered;
    await new Promise((resolve) => setTimeout(resolve, drainMs));
  }
  for (const peer of state.peers) for (const channel of [...peer.windows.keys()]) settle(peer, channel);
  const result = status();
  state.finished = true;
  for (const peer of state.peers) peer.rtc?.close();
  for (const publisher of state.publishers) publisher.close();
  return result;
}

serveParent({ start, status, finish }, { pid: process.pid });
