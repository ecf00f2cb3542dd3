// The limit: a bare `ws` server with the least protocol that still routes by
// channel. {"sub": channel} subscribes; {"pub": channel, "data": …} is
// serialized once and sent to every subscriber of that channel.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveParent, settledMemory } from '../lib/proc.mjs';

const http = createServer((req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, path: '/raw', perMessageDeflate: false, maxPayload: 64 * 1024 });
const channels = new Map();

wss.on('connection', (ws) => {
  const mine = new Set();
  ws.on('message', (raw) => {
    let frame;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return;
    }
    if (typeof frame.sub === 'string') {
      let set = channels.get(frame.sub);
      if (!set) channels.set(frame.sub, (set = new Set()));
      set.add(ws);
      mine.add(frame.sub);
      ws.send('{"ok":true}');
    } else if (typeof frame.pub === 'string') {
      const set = channels.get(frame.pub);
      if (!set) return;
      const out = JSON.stringify({ channel: frame.pub, data: frame.data });
      for (const peer of set) peer.send(out);
    }
  });
  ws.on('close', () => {
    for (const name of mine) channels.get(name)?.delete(ws);
  });
  ws.on('error', () => {});
});

await new Promise((resolve) => http.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve));
const { port } = http.address();
process.on('SIGTERM', () => process.exit(0));

serveParent({ memory: () => settledMemory() }, { port, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/raw` });
