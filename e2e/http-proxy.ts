import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * An HTTP proxy in front of one or more server instances, as corporate
 * networks have them: it passes plain HTTP, and either refuses every
 * WebSocket upgrade with 403 or (once told) lets them through. It can also
 * buffer whole responses before passing them on, as some proxies and
 * antivirus products do, which holds a streaming response back for ever.
 * With several targets it sends each request (and upgrade) to the next one
 * in turn, as a round-robin load balancer does.
 */
export interface HttpProxy {
  port: number;
  /** ws://127.0.0.1:<port>, for clients. */
  readonly ws: string;
  /** http://127.0.0.1:<port>, for pages. */
  readonly url: string;
  /** Lets WebSocket upgrades through from now on (true) or refuses them with 403 (false). */
  allowUpgrades(allowed: boolean): void;
  /** Upgrade requests seen so far (refused or not). */
  readonly upgrades: number;
  close(): Promise<void>;
}

export interface HttpProxyOptions {
  /** Refuse WebSocket upgrades (403) until allowUpgrades(true). Default true. */
  refuseUpgrades?: boolean;
  /** Hold every response until it is complete. Default false. */
  buffer?: boolean;
}

export async function startHttpProxy(targets: number[], options: HttpProxyOptions = {}): Promise<HttpProxy> {
  let allowed = options.refuseUpgrades === false;
  let upgrades = 0;
  let next = 0;
  const pick = (): number => targets[next++ % targets.length]!;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: pick(), method: req.method, path: req.url, headers: req.headers }, (answer: IncomingMessage) => {
      if (!options.buffer) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = { ...answer.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    upgrades += 1;
    socket.on('error', () => socket.destroy());
    if (!allowed) return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const upstream = connect(pick(), '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    upstream.on('close', () => (sockets.delete(upstream), socket.destroy()));
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    ws: `ws://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    allowUpgrades: (value) => void (allowed = value),
    get upgrades() {
      return upgrades;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
