// The rtm-kit reference server as a benchmark subject: the built library
// (dist/server.js) through its public createServer, logging off, driven over IPC.
import { createServer, silentLogger } from '../../dist/server.js';
import { serveParent, settledMemory } from '../lib/proc.mjs';

const server = createServer({
  port: Number(process.env.BENCH_PORT ?? 0),
  secret: process.env.BENCH_SECRET,
  apiKey: process.env.BENCH_API_KEY,
  dev: true,
  // Per-connection log lines would be measured as server work; the benchmark is about the messaging path.
  logger: silentLogger,
});
const port = await server.listen();
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

serveParent(
  {
    token: ({ sub, ttl = 3600 }) => server.auth.sign(sub, ttl),
    memory: () => settledMemory(),
  },
  { port, url: server.url, ws: `${server.url.replace(/^http/, 'ws')}/rtc`, apiKey: server.apiKey },
);
