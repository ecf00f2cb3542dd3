// The alternative: a socket.io server with rooms. "join" adds the socket to a
// room; "publish" emits the data to the room (encoded once by socket.io). Both
// acknowledge, like RTC commands. "/" serves a blank page for the browser run,
// and socket.io serves its own client at /socket.io/socket.io.min.js.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { serveParent, settledMemory } from '../lib/proc.mjs';

const http = createServer((req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
  res.writeHead(404).end();
});
const io = new Server(http, { serveClient: true, perMessageDeflate: false, maxHttpBufferSize: 64 * 1024 });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack({});
  });
  socket.on('publish', (message, ack) => {
    io.to(String(message?.room)).emit('message', message?.data);
    if (typeof ack === 'function') ack({});
  });
});

await new Promise((resolve) => http.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve));
const { port } = http.address();
const stop = () => io.close(() => process.exit(0));
process.on('SIGTERM', stop);

serveParent({ memory: () => settledMemory() }, { port, url: `http://127.0.0.1:${port}` });
