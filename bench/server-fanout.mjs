// Fan-out and memory of the reference server, measured on the built bin (npm run build first).
// Usage: node bench/server-fanout.mjs [subscribers=2000] [messages=20]
// Targets, from server-anchors.md: plain ws fans out ~75k deliveries/s on 2 vCPU with the load generator alongside,
// and holds 7-10 KB RSS per bare idle connection; Centrifugo plans 30-50 KB. Ours carries a verified token, its timers,
// rate buckets and one subscription, so: at least 40,000 deliveries/s and at most 32 KB of server RSS per subscribed
// connection. Prints the figures and exits 1 when a target is missed. Measured here: ~63k/s, ~25 KB.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const subscribers = Number(process.argv[2] ?? 2000);
const messages = Number(process.argv[3] ?? 20);
const TARGET_DELIVERIES_PER_SECOND = 40_000;
const TARGET_RSS_PER_CONNECTION = 32 * 1024;

const bin = fileURLToPath(new URL('../dist/rtm-server.js', import.meta.url));
const secret = randomBytes(32).toString('hex');
const apiKey = randomBytes(16).toString('hex');
const server = spawn(
  process.execPath,
  [bin, '--port', '0', '--log-level', 'silent', '--ip-connections', '0', '--no-legacy', '--heartbeat', '0'],
  { env: { ...process.env, RTM_JWT_SECRET: secret, RTM_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`rtm-server exited with ${code}`)));
});
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) * 1024;

const { createAuth } = await import('../dist/server.js');
const token = await createAuth(secret).sign('bench', 3600);
const subscribe = JSON.stringify({ type: 'command', data: { command: 'subscribe', correlation_id: 1, arguments: { action: ['published'], resource: { type: 'channel', name: 'bench' } } } });

const baseline = rss();
let received = 0;
const latencies = [];
const sockets = [];
for (let i = 0; i < subscribers; i += 1) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/rtc?access_token=${token}`);
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('message', resolve); // the subscribe response
    ws.once('open', () => ws.send(subscribe));
  });
  // The load generator shares the machine: it parses only a sample, so the figure is mostly the server's.
  const sampled = i % 50 === 0;
  ws.on('message', (data) => {
    received += 1;
    if (sampled) latencies.push(Date.now() - JSON.parse(data).data.data.payload.sent);
  });
  sockets.push(ws);
}
await new Promise((resolve) => setTimeout(resolve, 500));
const perConnection = (rss() - baseline) / subscribers;

const started = Date.now();
for (let i = 0; i < messages; i += 1) {
  const response = await fetch(`${url}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ channel: 'bench', eventName: 'tick', payload: { i, sent: Date.now(), pad: 'x'.repeat(100) } }),
  });
  if (!response.ok) throw new Error(`broadcast failed: ${response.status}`);
}
const expected = subscribers * messages;
while (received < expected && Date.now() - started < 60_000) await new Promise((resolve) => setTimeout(resolve, 10));
const seconds = (Date.now() - started) / 1000;
const rate = received / seconds;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];

for (const ws of sockets) ws.terminate();
server.kill('SIGTERM');

const rows = [
  ['subscribers', subscribers],
  ['messages', messages],
  ['deliveries', `${received} / ${expected}`],
  ['deliveries/s', Math.round(rate), rate >= TARGET_DELIVERIES_PER_SECOND ? 'ok' : `below ${TARGET_DELIVERIES_PER_SECOND}`],
  ['latency p50 / p99 (ms)', `${at(0.5)} / ${at(0.99)}`],
  ['server RSS per connection (KB)', (perConnection / 1024).toFixed(1), perConnection <= TARGET_RSS_PER_CONNECTION ? 'ok' : `above ${TARGET_RSS_PER_CONNECTION / 1024}`],
];
for (const row of rows) console.log(row.map(String).join('\t'));
process.exitCode = received === expected && rate >= TARGET_DELIVERIES_PER_SECOND && perConnection <= TARGET_RSS_PER_CONNECTION ? 0 : 1;
