// Section: the client's receive path in Node, in one process and without a network: the time from a frame handed to
// the client's socket to the channel listener's call, per frame, against the same frames read by a bare handler
// (JSON.parse and an event-name check). Both get their frames from the same fake socket, one call per frame, as a
// WebSocket hands them over; so the ratio is the client's own work per message (partysocket, envelope check,
// liveness, lookup, filter, meta), which the browser section measures with Chromium's IPC and scheduling on top.
// `BENCH_CLIENT=/path/to/rtm.js` measures another build of the client (e.g. an older commit's) the same way.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median, ratio, round } from '../lib/stats.mjs';

const CHANNEL = 'receive';
const FRAMES = 200_000;
const RUNS = 5;

/** A frame as the reference server sends a channel event (with its stream position). */
function frame(i) {
  return JSON.stringify({
    type: 'event',
    data: { action: 'published', resource: { type: 'channel', name: CHANNEL }, modifier: { id: 'bench' }, timestamp: new Date(1_700_000_000_000 + i).toISOString(), data: { eventName: 'm', payload: { i, text: 'x'.repeat(64) } }, epoch: 'e1', offset: i + 1 },
  });
}

/** A WebSocket look-alike: answers every command at once and lets the bench hand it frames. */
class FakeSocket {
  static last;
  readyState = 0;
  binaryType = 'blob';
  listeners = new Map();
  onmessage = null;
  constructor(url) {
    this.url = url;
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.emit('open', { type: 'open' });
    });
  }
  addEventListener(type, listener) {
    (this.listeners.get(type) ?? this.listeners.set(type, new Set()).get(type)).add(listener);
  }
  removeEventListener(type, listener) {
    this.listeners.get(type)?.delete(listener);
  }
  emit(type, event) {
    if (type === 'message') this.onmessage?.(event);
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  send(text) {
    const request = JSON.parse(text);
    const position = request.data.command === 'subscribe' ? { epoch: 'e1', offset: 0 } : {};
    setTimeout(() => this.emit('message', { type: 'message', data: JSON.stringify({ type: 'command response', data: { request, response: { ...position } } }) }));
  }
  close() {
    this.readyState = 3;
  }
}

/** Hands `frames` to `socket` one call each and returns the ns per frame; `count()` must reach frames.length. */
function drive(socket, frames, count) {
  const before = count();
  const start = performance.now();
  for (const data of frames) socket.emit('message', { type: 'message', data });
  const ns = ((performance.now() - start) * 1e6) / frames.length;
  if (count() - before !== frames.length) throw new Error(`delivered ${count() - before} of ${frames.length}`);
  return ns;
}

export async function run({ root }) {
  const module = process.env.BENCH_CLIENT ? pathToFileURL(process.env.BENCH_CLIENT).href : `${pathToFileURL(root).href}dist/rtm.js`;
  const { createClient } = await import(module);
  const frames = Array.from({ length: FRAMES }, (_, i) => frame(i));
  const rtm = [];
  const raw = [];
  for (let run = 0; run < RUNS; run++) {
    // rtm-kit: a client with one channel listener (a new client each run, so its stream positions start over).
    let delivered = 0;
    const client = createClient({ url: 'ws://127.0.0.1:9/rtc', token: 'bench', WebSocket: FakeSocket, environment: () => () => {} });
    await client.ready();
    const channel = client.channel(CHANNEL);
    channel.on('m', () => delivered++);
    await new Promise((resolve) => channel.onState((state) => state === 'subscribed' && resolve()));
    rtm.push(drive(FakeSocket.last, frames, () => delivered));
    client.close();
    // The limit: the same frames, JSON.parse and an event-name check.
    let counted = 0;
    const bare = new FakeSocket('ws://127.0.0.1:9/raw');
    bare.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'event' && message.data.data.eventName === 'm') counted++;
    };
    raw.push(drive(bare, frames, () => counted));
  }
  const rtmNs = median(rtm);
  const rawNs = median(raw);
  return { frames: FRAMES, runs: RUNS, client: process.env.BENCH_CLIENT ?? 'dist/rtm.js', rtmNsPerFrame: round(rtmNs), rawNsPerFrame: round(rawNs), rtmVsRaw: round(ratio(rtmNs, rawNs)), rtmRuns: rtm.map((v) => round(v)), rawRuns: raw.map((v) => round(v)) };
}

export function render(r, { n, section }) {
  return section(
    '## 12. Client receive path in Node (no network)',
    `The client's own work per received channel event: ${n(r.frames)} event frames as the reference server sends them (stream position included, a 64-character payload) handed one call each to the client's socket, in one process, to one channel listener with an event name; "raw" reads the same frames with JSON.parse and an event-name check. ${r.runs} runs, a new client each; the median is shown. Client: \`${r.client}\`. Chromium's share (IPC, scheduling) is in section 2; this is what is left to the client.`,
    ['system', 'ns per frame (median)', 'vs raw', 'runs (ns per frame)'],
    ['l', 'r', 'r', 'l'],
    [
      ['rtm-kit', `**${n(r.rtmNsPerFrame)}**`, `${n(r.rtmVsRaw, 2)}×`, r.rtmRuns.map((v) => n(v)).join(', ')],
      ['raw (JSON.parse + check)', n(r.rawNsPerFrame), '1.00×', r.rawRuns.map((v) => n(v)).join(', ')],
    ],
  );
}
