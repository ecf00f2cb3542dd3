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
  try {
    const token = await server.call('token', { sub: 'bench-soak', ttl: 3 * 3600 });
    const baseline = await server.call('memory');
    const opened = await load.call('start', { url: server.info.ws, token, connections, rate, channels, churnPerSecond, reconnectsPerSecond }, 300_000);
    log(`  ${opened.open} connections (${opened.failed} failed) in ${round(opened.ms / 1000)} s; ${rate} msg/s over ${channels} channels for ${minutes} min`);
    const started = performance.now();
    const end = started + minutes * 60_000;
    while (performance.now() < end) {
      await sleep(Math.min(sampleSeconds * 1000, Math.max(0, end - performance.now())));
      const [memory, gauges, traffic] = await Promise.all([server.call('memory'), server.call('gauges'), load.call('status')]);
      const sample = { second: Math.round((performance.now() - started) / 1000), rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, ...gauges, ...traffic };
      samples.push(sample);
      log(`  ${sample.second} s: RSS ${mib(sample.rss)} MiB, heap ${mib(sample.heapUsed)} MiB, ${sample.connections} conns, ${sample.subscriptions} subs, ${sample.published} published, ${sample.lost} lost`);
    }
    const totals = await load.call('finish', {}, 120_000);
    const warmup = warmupSeconds(minutes);
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
