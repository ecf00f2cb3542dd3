import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createAuth, type Auth } from './auth.js';
import { createHttpHandler } from './http.js';
import { Hub } from './hub.js';
import { jsonLogger, type Logger } from './log.js';
import { Session, type SessionTiming } from './session.js';

/** Settings of the reference server. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** HS256 secret, at least 32 bytes. Without one, a random one is generated and the server runs in development mode. */
  secret?: string;
  /** REST API key. Generated in development mode; without one otherwise, REST publishing is off. */
  apiKey?: string;
  /** Development mode (dev token endpoint). Implied when no secret is given. */
  dev?: boolean;
  /** Largest WebSocket frame in bytes; larger frames close the connection with 1009. Default 64 KiB. */
  maxPayload?: number;
  /** Token timing, in seconds. */
  timing?: Partial<SessionTiming>;
  /** Where log lines go. Default: JSON lines on stdout/stderr. */
  logger?: Logger;
  /** Folder served at `/`. Default: the package's `server-mock/public`. */
  publicDir?: string;
  /** Folder served at `/dist/`. Default: the package's `dist`. */
  distDir?: string;
}

/** A running (or ready to run) reference server. */
export interface RtmServer {
  /** Starts listening; resolves with the port actually bound. */
  listen(): Promise<number>;
  /** Closes every client with 1001 and stops listening. */
  close(): Promise<void>;
  /** The HTTP base URL, e.g. `http://127.0.0.1:8080`, once listening. */
  readonly url: string;
  /** The effective secret (generated in development mode). */
  readonly secret: string;
  /** The effective API key, if any. */
  readonly apiKey: string | undefined;
  /** True in development mode. */
  readonly dev: boolean;
  /** Signs and verifies tokens with the server's secret. */
  readonly auth: Auth;
}

/** Creates the reference server. Call `listen()` to start it. */
export function createServer(options: ServerOptions = {}): RtmServer {
  const dev = options.dev === true || options.secret === undefined;
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const apiKey = options.apiKey ?? (dev ? randomBytes(24).toString('base64url') : undefined);
  const log = options.logger ?? jsonLogger();
  const auth = createAuth(secret);
  const hub = new Hub();
  const root = packageRoot();
  const timing: SessionTiming = { reminder: 60, grace: 5, authTimeout: 10, ...options.timing };

  const http: Server = createHttpServer(
    createHttpHandler({
      hub,
      auth,
      log,
      apiKey,
      dev,
      publicDir: resolve(options.publicDir ?? join(root, 'server-mock', 'public')),
      distDir: resolve(options.distDir ?? join(root, 'dist')),
    }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024, perMessageDeflate: false });

  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/rtc') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The token may be absent: the client then authenticates with jwt replace, which keeps it out of URLs and logs.
    const token = url.searchParams.get('access_token') ?? undefined;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, { auth, hub, log, timing, ip: req.socket.remoteAddress ?? '', origin: req.headers.origin });
      void session.start(token);
    });
  });

  let port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  return {
    get url() {
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    secret,
    apiKey,
    dev,
    auth,
    listen() {
      return new Promise((resolvePort, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          port = (http.address() as AddressInfo).port;
          resolvePort(port);
        });
      });
    },
    close() {
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      return new Promise((resolveClose) => {
        const kill = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 2_000);
        wss.close();
        http.close(() => {
          clearTimeout(kill);
          resolveClose();
        });
        http.closeIdleConnections();
      });
    },
  };
}

/** The folder holding rtm-kit's package.json, from source (server-mock/) or from the bundle (dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
