// Subscription filters: what a filtering subscriber saves on the wire, and what filters cost the server's fan-out.
// (a) One publisher sends 1,000 messages, one in ten for customer 0; one subscriber filters on that customer, one
// does not: frames and bytes each received. (b) The same 1,000 connections hold three subscriptions each: one
// unfiltered, one where only one subscriber filters (the topic then looks filters up per subscriber), one where all
// 1,000 hold a different filter (each evaluated per message); every filter admits every message, so all three
// channels deliver 1,000 frames a round and only the server's work differs. Rounds alternate between the channels.
import { loadavg } from 'node:os';
import { startProcess, sleep } from '../lib/proc.mjs';
import { max, median, ratio, round } from '../lib/stats.mjs';
import { openRtc } from '../lib/wire.mjs';

const CASES = [
  { channel: 'unfiltered', filters: 'none', label: 'none (plain subscribes)' },
  { channel: 'one-filtered', filters: 'one', label: '1 of them filters' },
  { channel: 'all-filtered', filters: 'distinct', label: 'each a different filter' },
];

async function traffic(server, messages) {
  const [publisher, filtered, everything] = await Promise.all(['pub', 'filtered', 'all'].map(async (sub) => openRtc(server.info.ws, await server.call('token', { sub }))));
  const counts = new Map();
  const done = [];
  for (const peer of [filtered, everything]) {
    const count = { frames: 0, bytes: 0 };
    counts.set(peer, count);
    done.push(new Promise((resolve) => (peer.onMessage = (text) => {
      count.frames += 1;
      count.bytes += Buffer.byteLength(text);
      if (text.includes(`"seq":${messages},`)) resolve();
    })));
  }
  await filtered.subscribe('traffic', { 'payload.customer': 0 });
  await everything.subscribe('traffic');
  for (let seq = 1; seq <= messages; seq++) await publisher.publish('traffic', 'order', { seq, customer: seq % 10, total: 100 + seq, text: 'x'.repeat(64) });
  await Promise.all(done);
  for (const peer of [publisher, filtered, everything]) peer.close();
  const [f, e] = [counts.get(filtered), counts.get(everything)];
  return { messages, filteredFrames: f.frames, filteredBytes: f.bytes, unfilteredFrames: e.frames, unfilteredBytes: e.bytes, bytesRatio: round(ratio(f.bytes, e.bytes)) };
}

export async function run({ messages = 1_000, subscribers = 1_000, rounds = 20, warmupRounds = 3, log }) {
  const server = await startProcess('servers/rtm.mjs');
  const load = await startProcess('load/clients.mjs');
  try {
    const wire = await traffic(server, messages);
    log(`  1 in 10: filtered ${wire.filteredFrames} frames / ${wire.filteredBytes} B, unfiltered ${wire.unfilteredFrames} frames / ${wire.unfilteredBytes} B`);
    const token = await server.call('token', { sub: 'bench-filters', ttl: 3600 });
    const connected = await load.call('connect', { system: 'rtm', url: server.info.ws, token, n: subscribers, concurrency: 100 });
    for (const { channel, filters } of CASES) await load.call('subscribe', { channel, from: 0, to: connected.open, filters });
    await sleep(500);
    const perCase = Object.fromEntries(CASES.map(({ channel }) => [channel, []]));
    let seq = 0;
    for (let r = 0; r < warmupRounds + rounds; r++) {
      for (const { channel } of CASES) {
        const [result] = await load.call('fanout', { system: 'rtm', url: server.info.ws, token, channel, rounds: 1, expected: connected.open, firstSeq: seq++ });
        if (r >= warmupRounds) perCase[channel].push(result);
      }
    }
    const base = perCase.unfiltered.map((r) => (r.delivered === connected.open ? connected.open / (max(r.times) / 1000) : null));
    const fanout = CASES.map(({ channel, label }) => {
      const results = perCase[channel];
      const rates = results.map((r) => (r.delivered === connected.open ? connected.open / (max(r.times) / 1000) : null));
      const complete = rates.filter((rate) => rate !== null);
      const row = {
        case: label,
        subscribers: connected.open,
        rounds: results.length,
        completeRounds: complete.length,
        deliveriesPerSecond: round(median(complete)),
        timeToLastP50Ms: round(median(results.filter((r) => r.delivered === connected.open).map((r) => max(r.times)))),
        // Per round against the unfiltered round next to it, then the median: drift on the shared cores cancels out.
        vsUnfiltered: round(median(rates.map((rate, i) => ratio(rate, base[i])).filter((v) => v !== null))),
      };
      log(`  ${label}: ${row.deliveriesPerSecond} deliveries/s (${row.vsUnfiltered}× unfiltered), ${complete.length}/${results.length} complete`);
      return row;
    });
    // Recorded with the section: it may be run on its own (`node bench/run.mjs filters`) and merged into a full report.
    return { measuredAt: new Date().toISOString(), loadAverage: round(loadavg()[0]), wire, fanout };
  } finally {
    await load.call('closeAll').catch(() => {});
    await load.stop();
    await server.stop();
  }
}

/** The report section; `n` formats numbers, `section` lays out heading, method, table and notes. */
export function render(data, { n, section }) {
  const { wire, fanout } = data;
  const wireTable = section(
    '## 10. Subscription filters',
    `Measured at ${data.measuredAt} (load average ${n(data.loadAverage)}). **(a) On the wire.** One rtm-server; a publisher sends ${n(wire.messages)} channel messages (~340 B event frames), one in ten for customer 0. One subscriber asks for \`{"payload.customer": 0}\`, another for everything; frames and bytes are what each socket received (event frames only).`,
    ['subscriber', 'frames', 'bytes', 'bytes vs unfiltered'],
    ['l', 'r', 'r', 'r'],
    [
      ['filter `payload.customer = 0` (1 in 10)', `**${n(wire.filteredFrames)}**`, `**${n(wire.filteredBytes)}**`, `${n(wire.bytesRatio, 2)}×`],
      ['no filter', n(wire.unfilteredFrames), n(wire.unfilteredBytes), '1.00×'],
    ],
  );
  const fanoutTable = section(
    '',
    `**(b) Fan-out.** One load process holds ${n(fanout[0].subscribers)} RTC connections; each subscribes to three channels: one with no filter, one where a single subscriber filters, one where every subscriber holds a different filter (\`{"payload.seq": [-i, {"$gte": 0}]}\`, so it must be evaluated, and admits every message). One message per round to one channel, rounds alternating between the three; rate = subscribers / time to the last delivery, median over rounds; the ratio is per round against the unfiltered round beside it, then the median. The unfiltered case is the path of section 4: a topic nobody filters costs one map lookup per message, not per subscriber.`,
    ['subscribers', 'of which filter', 'rounds (complete)', 'deliveries/s', 'time to last, p50 ms', 'vs unfiltered'],
    ['l', 'l', 'r', 'r', 'r', 'r'],
    fanout.map((r) => [n(r.subscribers), r.case, `${r.rounds} (${r.completeRounds})`, `**${n(r.deliveriesPerSecond)}**`, n(r.timeToLastP50Ms, 1), `${n(r.vsUnfiltered, 2)}×`]),
  );
  return `${wireTable}\n\n${fanoutTable.trimStart()}`;
}
