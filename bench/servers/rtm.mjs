// The rtm-kit reference server as a benchmark subject: the built library
// (dist/server.js) through its public createServer, logging off, driven over IPC.
import * as rtm from '../../dist/server.js';
import { LOAD_OPTIONS } from '../lib/load-settings.mjs';
import { serveParent, settledMemory } from '../lib/proc.mjs';

const server = rtm.createServer({
  port: Number(process.env.BENCH_PORT ?? 0),
  dev: true,
  // Per-connection log lines would be measured as server work; the benchmark is about the messaging path.
  logger: rtm.silentLogger,
  // Limits lifted for load generators (see load-settings.mjs); recorded in results.json.
  ...JSON.parse(LOAD_OPTIONS),
});
const port = await server.listen();
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

serveParent(
  {
    token: ({ sub, ttl = 3600 }) => server.auth.sign(sub, ttl),
    memory: () => settledMemory(),
    // What the server itself counts, from its Prometheus endpoint: proof that its structures shrink back as clients leave.
    // Under heavy load a scrape can wait long; then this sample goes without the server's own counts.
    gauges: async () => {
      const text = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((res) => res.text(), () => '');
      if (!text) return { serverConnections: null, serverSubscriptions: null, serverTopics: null };
      const sum = (name) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((total, m) => total + Number(m[1]), 0);
      return { serverConnections: sum('rtm_connections'), serverSubscriptions: sum('rtm_subscriptions'), serverTopics: sum('rtm_topics') };
    },
  },
  { port, url: server.url, ws: `${server.url.replace(/^http/, 'ws')}/rtc`, apiKey: server.apiKey },
);
