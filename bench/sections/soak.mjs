// Soak: one rtm-kit server holds `connections` connections for `minutes` while
// `rate` messages a second flow through skewed channels, with subscribe /
// unsubscribe churn and a few reconnects a second. The server's memory is read
// every `sampleSeconds` after two forced full GCs (so the heap figure is what
// is retained, not garbage waiting), and the load process checks that live
// subscribers lost nothing. Not in the default run: `npm run bench -- soak`.
import { performance } from 'node:perf_hooks';
import { startProcess, sleep } from '../lib/proc.mjs';
import { round } from '../lib/stats.mjs';

/**
 * Warm-up lasts until the server's time-bounded structures are full: history keeps events 300 s and publish
 * de-duplication 120 s by default, so until then memory grows by design. Past that, growth would be a leak.
 * Runs too short to leave a third of their length after it use the first fifth instead, and say so.
 */
const RETENTION_SECONDS = 300;
const WARMUP_MARGIN_SECONDS = 30;

function warmupSeconds(minutes) {
  const full = RETENTION_SECONDS + WARMUP_MARGIN_SECONDS;
  return full <= (minutes * 60 * 2) / 3 ? { seconds: full, coversRetention: true } : { seconds: minutes * 60 * 0.2, coversRetention: false };
}

export async function run({ minutes = 10, connections = 2_000, rate = 500, channels = 200, churnPerSecond = 20, reconnectsPerSecond = 3, sampleSeconds = 10, log }) {
  const server = await startProcess('servers/rtm.mjs', { nodeArgs: ['--expose-gc'] });
  const load = await startProcess('load/soak.mjs');
  const samples = [];
  const missed = [];
  try {
    const token = await server.call('token', { sub: 'bench-soak', ttl: 3 * 3600 });
    const baseline = await server.call('memory');
    const opened = await load.call('start', { url: server.info.ws, token, connections, rate, channels, churnPerSecond, reconnectsPerSecond }, 300_000);
    log(`  ${opened.open} connections (${opened.failed} failed) in ${round(opened.ms / 1000)} s; ${rate} msg/s over ${channels} channels for ${minutes} min`);
    const started = performance.now();
    const end = started + minutes * 60_000;
    while (performance.now() < end) {
      await sleep(Math.min(sampleSeconds * 1000, Math.max(0, end - performance.now())));
      // On a machine this loaded a reading can wait behind the server's backlog; a late one is counted as missed, not fatal.
      const read = await Promise.all([server.call('memory', {}, 60_000), server.call('gauges', {}, 60_000), load.call('status', {}, 60_000)]).catch((error) => error);
      if (read instanceof Error) {
        if (load.child.exitCode !== null || server.child.exitCode !== null) throw read;
        missed.push({ second: Math.round((performance.now() - started) / 1000), error: read.message.split('\n')[0] });
        log(`  ${missed.at(-1).second} s: sample missed (${missed.at(-1).error})`);
        continue;
      }
      const [memory, gauges, traffic] = read;
      const sample = { second: Math.round((performance.now() - started) / 1000), rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, ...gauges, ...traffic };
      samples.push(sample);
      log(`  ${sample.second} s: RSS ${mib(sample.rss)} MiB, heap ${mib(sample.heapUsed)} MiB, ${sample.connections} conns, ${sample.subscriptions} subs, ${sample.published} published, ${sample.lost} lost`);
    }
    const totals = await load.call('finish', {}, 120_000);
    const warmup = warmupSeconds(minutes);
    if (samples.length === 0) throw new Error(`no memory sample answered in ${minutes} min (${missed.length} missed)`);
    const warm = samples.find((sample) => sample.second >= warmup.seconds) ?? samples[0];
    const last = samples.at(-1);
    // Growth is compared on the median of the last three samples, so one reading taken mid-burst does not decide it.
    const tail = samples.slice(-3);
    const med = (key) => tail.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(tail.length / 2)];
    return {
      settings: { minutes, connections: opened.open, connectFailed: opened.failed, rate, channels, churnPerSecond, reconnectsPerSecond, sampleSeconds },
      baseline: { rss: baseline.rss, heapUsed: baseline.heapUsed },
      afterWarmup: { second: warm.second, coversRetention: warmup.coversRetention, rss: warm.rss, heapUsed: warm.heapUsed },
      end: { second: last.second, rss: med('rss'), heapUsed: med('heapUsed') },
      rssGrowthAfterWarmup: round(med('rss') / warm.rss - 1, 4),
      heapGrowthAfterWarmup: round(med('heapUsed') / warm.heapUsed - 1, 4),
      totals,
      missedSamples: missed,
      samples: samples.map(({ second, rss, heapUsed, external, connections: c, subscriptions, serverConnections, serverSubscriptions, serverTopics, published, delivered, lost }) => ({
        second,
        rss,
        heapUsed,
        external,
        connections: c,
        subscriptions,
        serverConnections,
        serverSubscriptions,
        serverTopics,
        published,
        delivered,
        lost,
      })),
    };
  } finally {
    await load.stop();
    await server.stop();
  }
}

const mib = (bytes) => round(bytes / 2 ** 20, 1);

/** The soak's part of RESULTS.md: settings, growth after warm-up, losses, and memory over time. */
export function render(soak, { n, section }) {
  const { settings: c, totals: t } = soak;
  const mib = (bytes) => (bytes == null ? '–' : n(bytes / 2 ** 20, 1));
  const pct = (share) => `${n(share * 100, 1)} %`;
  const method = [
    `Run ${soak.date} (\`npm run bench -- soak${c.minutes === 10 ? '' : ` --minutes ${c.minutes}`}\`), commit ${soak.versions?.commit ?? '?'}${soak.versions?.dirty ? ' with uncommitted changes' : ''}; load average (1 min) ${n(soak.machine?.loadAverageAtStart, 2)} at the start and ${n(soak.loadAverageAtEnd, 2)} at the end on ${soak.machine?.cores} shared cores.`,
    `One rtm-kit server (\`createServer\` from dist/server.js, limits lifted as in the other sections, history and de-duplication at their defaults) held **${n(c.connections)}** connections (${n(c.connectFailed)} failed to open) for **${c.minutes} min** while ${n(c.rate)} messages a second (payloads 0–1,000 B) were published over ${n(c.channels)} channels of skewed popularity (a few hot channels, a long tail), ${n(c.churnPerSecond)} connections a second left one channel for another, and ${n(c.reconnectsPerSecond)} a second dropped without a goodbye and came back with the same channels.`,
    `Every ${c.sampleSeconds} s the server's memory was read after two forced full GCs. Warm-up ends at ${n(soak.afterWarmup.second)} s${soak.afterWarmup.coversRetention ? ', once history (300 s) and publish de-duplication (120 s) are full: until then memory grows by design' : ' (a short trial: history still fills during the rest of it, so its growth figures overstate)'}; growth compares the median of the last three samples with that point.`,
    'A subscription is checked from the confirmation of its subscribe to the last publish acknowledged before its unsubscribe (or the end of the run): every message published to its channel in that window must arrive, once and in order. Subscriptions of connections that drop on purpose end unchecked, since what is in flight on a dropped socket is lost by definition.',
  ].join(' ');
  const rows = [
    ['RSS growth after warm-up', `**${pct(soak.rssGrowthAfterWarmup)}** (${mib(soak.afterWarmup.rss)} → ${mib(soak.end.rss)} MiB)`],
    ['heap growth after warm-up', `**${pct(soak.heapGrowthAfterWarmup)}** (${mib(soak.afterWarmup.heapUsed)} → ${mib(soak.end.heapUsed)} MiB)`],
    ['messages lost by live subscribers', `**${n(t.lost)}** in ${n(t.windowsChecked)} checked subscriptions (${n(t.duplicates)} duplicates)`],
    ['published / failed', `${n(t.published)} / ${n(t.publishFailed)}`],
    ['deliveries received', n(t.delivered)],
    ['subscribes / unsubscribes (churn failed)', `${n(t.subscribes)} / ${n(t.unsubscribes)} (${n(t.churnFailed)})`],
    ['reconnects (failed)', `${n(t.reconnects)} (${n(t.reconnectFailed)})`],
    ['connections closed by the server', `${n(t.unexpectedCloses)}${Object.keys(t.closeCodes ?? {}).length ? ` (codes ${JSON.stringify(t.closeCodes)})` : ''}`],
    ['publisher connections lost (replaced)', t.publisherCloses === undefined ? 'not recorded in this run' : n(t.publisherCloses)],
    ...(Object.keys(t.failures ?? {}).length ? [['why churn or reconnects failed', Object.entries(t.failures).map(([why, count]) => `${why} (${n(count)})`).join('; ')]] : []),
  ];
  const every = Math.max(1, Math.ceil(soak.samples.length / 12));
  const over = soak.samples
    .filter((_, i) => i % every === 0 || i === soak.samples.length - 1)
    .map((s) => [n(s.second), mib(s.rss), mib(s.heapUsed), n(s.serverConnections), n(s.serverSubscriptions), n(s.serverTopics), n(s.published), n(s.lost)]);
  return [
    section('## Soak', method, ['measure', 'result'], ['l', 'r'], rows),
    '',
    '**Over time** (server counts from its own `/metrics`; "–" where a scrape did not answer within 5 s):',
    '',
    ['| s | RSS MiB | heap MiB | connections | subscriptions | topics | published | lost |', '|---:|---:|---:|---:|---:|---:|---:|---:|', ...over.map((r) => `| ${r.join(' | ')} |`)].join('\n'),
  ].join('\n');
}
