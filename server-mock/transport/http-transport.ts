import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RtcErrorCode, type Json } from '../../protocol/index.js';
import type { Clock } from '../ops/clock.js';
import { sendJson } from '../http/json-body.js';
import { HttpPipe, KEEP_ALIVE, type Reader } from './http-pipe.js';
import type { InstanceRouter } from './instance-router.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import type { KeyedRateLimiter } from '../session/rate-limit.js';
import { isLoopback, type IpResolver } from '../http/request-ip.js';
import type { RequestTarget } from '../http/request-url.js';
import { HttpError } from '../errors.js';

/** How long a long poll is held open without anything to send; below the 30-60 s idle cut-off of common proxies. */
export const POLL_HOLD_MS = 25_000;
/** Keep-alive interval of streams when the WebSocket heartbeat is off: proxies cut streams that stay silent. */
const DEFAULT_KEEP_ALIVE_MS = 25_000;
/** The path prefix of the HTTP transports. */
const BASE = '/rtc/http';

/** What the HTTP transports need from the server. */
export interface HttpTransportContext {
  router: InstanceRouter;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** Allowed Origins (exact match); empty allows any. Also what CORS answers. */
  origins: readonly string[];
  ipLimiter: KeyedRateLimiter | undefined;
  /** The client IP of a request (proxy-aware). */
  ip: IpResolver;
  /** False while shutting down. */
  accepting: () => boolean;
  /** Seconds without a stream or poll after which a session is closed. */
  window: number;
  /** Keep-alive interval of streams in ms (the heartbeat); 0 uses a default. */
  keepAlive: number;
  /**
   * Largest frame the transport reads, in bytes. The session answers a frame over its own `maxPayload` (error 7)
   * and keeps the link, as over a WebSocket; only a frame over this one is refused whole (413), as a WebSocket closes 1009.
   */
  maxFrame: number;
  /** Largest POST body, in bytes. */
  maxBody: number;
  /** Starts the RTC session on a new pipe, as for an accepted WebSocket; `announce`: the client asked for its session id. */
  startSession(pipe: HttpPipe, token: string | undefined, req: IncomingMessage, ip: string, announce: boolean): void;
}

/** The HTTP transports' request handler and their shutdown. */
export interface HttpTransport {
  /** Handles a request under `/rtc/http`; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<boolean>;
  /** Closes every session (1001), as WebSockets are at shutdown. */
  close(): void;
}

/**
 * The HTTP fallback transports, for networks that refuse WebSockets:
 *
 * - `POST /rtc/http?transport=http-stream|long-poll[&session=1]` opens a session; the token
 *   comes in `Authorization: Bearer …` (or later with `jwt replace`), never in
 *   the URL. Answers `{key}`: the session's secret, which names it in the requests below.
 * - `GET /rtc/http/<key>/stream`: one long response of server-sent events
 *   (`data: <frame>`), keep-alive comments, and `event: close` with `{code, reason}` at the end.
 * - `GET /rtc/http/<key>/poll?ack=<n>`: the same text, ending after the first batch (or after 25 s empty); each
 *   batch starts with `id: <n>`, and is sent again until a poll acknowledges it.
 * - `POST /rtc/http/<key>/send`: frames, one JSON text per line (text/plain: no CORS preflight).
 * - `POST /rtc/http/<key>/close`: the client leaves.
 *
 * A key carries its instance's id: with Redis, a request that lands on another
 * instance is routed to the one holding the session.
 */
export function createHttpTransport(ctx: HttpTransportContext): HttpTransport {
  const pipes = new Map<string, HttpPipe>();
  /** Remote readers of local pipes, by reader id, so a detach from their instance finds them. */
  const remoteReaders = new Map<string, { key: string; reader: Reader }>();
  /** Local responses reading a pipe of another instance, by reader id. */
  const relays = new Map<string, ServerResponse>();
  let nextReader = 1;
  const router = ctx.router;

  const keepAlive = setInterval(() => pipes.forEach((pipe) => pipe.keepAlive()), ctx.keepAlive || DEFAULT_KEEP_ALIVE_MS).unref();

  router.handle('http.attach', (body, from) => {
    const { key, reader: id, poll, ack } = body as { key: string; reader: string; poll: boolean; ack: number };
    const pipe = pipes.get(key);
    if (!pipe) return false;
    const reader: Reader = {
      poll,
      ack,
      pending: 0,
      write: (text) => void router.tell(from, 'http.write', { reader: id, text }).then((heard) => heard || gone(), gone),
      end: () => {
        remoteReaders.delete(id);
        void router.tell(from, 'http.end', { reader: id }).catch(() => {});
      },
    };
    // The reading instance went away: its frames wait as between two polls.
    const gone = (): void => {
      remoteReaders.delete(id);
      pipe.detach(reader);
    };
    remoteReaders.set(id, { key, reader });
    pipe.attach(reader);
    return true;
  });
  router.handle('http.detach', (body) => {
    const remote = remoteReaders.get((body as { reader: string }).reader);
    if (remote) {
      remoteReaders.delete((body as { reader: string }).reader);
      pipes.get(remote.key)?.detach(remote.reader);
    }
    return true;
  });
  router.handle('http.send', (body) => {
    const { key, frames } = body as { key: string; frames: string };
    const pipe = pipes.get(key);
    pipe?.receive(frames);
    return pipe !== undefined;
  });
  router.handle('http.close', (body) => {
    const pipe = pipes.get((body as { key: string }).key);
    pipe?.end(1000);
    return pipe !== undefined;
  });
  router.handle('http.write', (body) => {
    const { reader, text } = body as { reader: string; text: string };
    const res = relays.get(reader);
    res?.write(text);
    return res !== undefined;
  });
  router.handle('http.end', (body) => {
    const res = relays.get((body as { reader: string }).reader);
    res?.end();
    return true;
  });

  /** CORS per the Origin allow-list; a browser Origin that is not allowed is refused outright. */
  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (ctx.origins.length > 0 && !ctx.origins.includes(origin)) {
      ctx.metrics.limited.inc({ limit: 'origin' });
      ctx.log.warn('origin_rejected', { ip: ctx.ip(req), origin: origin.slice(0, 200) });
      throw new HttpError(403, RtcErrorCode.Unauthorized, 'this Origin may not connect');
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  };

  const open = (req: IncomingMessage, res: ServerResponse, target: RequestTarget): void => {
    if (!ctx.accepting()) throw new HttpError(503, RtcErrorCode.Internal, 'the server is shutting down');
    const ip = ctx.ip(req);
    if (ctx.ipLimiter && !isLoopback(ip) && !ctx.ipLimiter.take(ip)) {
      ctx.metrics.limited.inc({ limit: 'ip' });
      ctx.log.warn('connection_rate_exceeded', { ip, origin: req.headers.origin });
      throw new HttpError(429, RtcErrorCode.LimitExceeded, 'too many connections from this address; wait a minute');
    }
    const transport = target.query.get('transport') ?? 'http-stream';
    if (transport !== 'http-stream' && transport !== 'long-poll') throw new HttpError(400, RtcErrorCode.Formatting, 'transport must be http-stream or long-poll');
    const auth = req.headers.authorization;
    if (auth !== undefined && !/^Bearer \S+$/.test(auth)) throw new HttpError(400, RtcErrorCode.Formatting, 'send the token as Authorization: Bearer <jwt>');
    const key = `${router.id}.${randomBytes(24).toString('base64url')}`;
    const pipe = new HttpPipe(key, transport, ctx.clock, ctx.window * 1000, () => pipes.delete(key));
    pipes.set(key, pipe);
    ctx.startSession(pipe, auth?.slice('Bearer '.length), req, ip, target.query.get('session') === '1');
    sendJson(res, 200, { key });
  };

  const read = (req: IncomingMessage, res: ServerResponse, key: string, poll: boolean, ack: number): Promise<void> => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store, no-transform',
      // nginx and others buffer responses unless told not to; a stream that still gets buffered is detected by the client.
      'x-accel-buffering': 'no',
    });
    // The first byte tells the client the stream is not held back by a buffering proxy.
    if (!poll) res.write(KEEP_ALIVE);
    return new Promise<void>((done) => {
      const instance = router.instanceOf(key);
      let finish: () => void = () => {};
      const hold = poll ? setTimeout(() => res.end(), POLL_HOLD_MS) : undefined;
      res.on('close', () => {
        clearTimeout(hold);
        finish();
        done();
      });
      const notFound = (): void => {
        res.end(`event: close\ndata: ${JSON.stringify({ code: 4404, reason: 'no such session' })}\n\n`);
      };
      const local = pipes.get(key);
      if (local) {
        const reader: Reader = {
          poll,
          ack,
          get pending() {
            return res.writableLength;
          },
          write: (text) => void res.write(text),
          end: () => res.end(),
        };
        finish = () => local.detach(reader);
        return local.attach(reader);
      }
      if (!instance || instance === router.id) return notFound();
      const id = `${router.id}.${nextReader++}`;
      relays.set(id, res);
      finish = () => {
        relays.delete(id);
        void router.tell(instance, 'http.detach', { reader: id }).catch(() => {});
      };
      router.ask(instance, 'http.attach', { key, reader: id, poll, ack }).then(
        (attached) => attached || notFound(),
        (error: unknown) => {
          ctx.log.warn('http_route_failed', { error: String(error) });
          res.destroy();
        },
      );
    });
  };

  /** Hands a request to the instance holding the session; false when none does. */
  const route = async (key: string, kind: string, body: Json): Promise<boolean> => {
    const instance = router.instanceOf(key);
    if (!instance) return false;
    if (instance === router.id && !pipes.has(key)) return false;
    return (await router.ask(instance, kind, body)) === true;
  };

  const send = async (req: IncomingMessage, res: ServerResponse, key: string): Promise<void> => {
    const frames = await readText(req, ctx.maxBody);
    if (frames.split('\n').some((line) => Buffer.byteLength(line) > ctx.maxFrame)) {
      throw new HttpError(413, RtcErrorCode.LimitExceeded, `a frame exceeds ${ctx.maxFrame} bytes`);
    }
    if (!(await route(key, 'http.send', { key, frames }))) throw new HttpError(404, RtcErrorCode.InvalidToken, 'no such session: open a new one');
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
  };

  const leave = async (res: ServerResponse, key: string): Promise<void> => {
    await route(key, 'http.close', { key });
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
  };

  return {
    async handle(req, res, target) {
      const { path } = target;
      if (path !== BASE && !path.startsWith(`${BASE}/`)) return false;
      cors(req, res);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return true;
      }
      const match = /^\/rtc\/http\/([A-Za-z0-9_.-]{1,80})\/(stream|poll|send|close)$/.exec(path);
      const method = path === BASE || match?.[2] === 'send' || match?.[2] === 'close' ? 'POST' : 'GET';
      if (req.method !== method) {
        res.setHeader('allow', method);
        throw new HttpError(405, RtcErrorCode.UnknownCommand, `use ${method}`);
      }
      if (path === BASE) open(req, res, target);
      else if (!match) throw new HttpError(404, RtcErrorCode.UnknownCommand, 'no such endpoint');
      else if (match[2] === 'send') await send(req, res, match[1]!);
      else if (match[2] === 'close') await leave(res, match[1]!);
      else await read(req, res, match[1]!, match[2] === 'poll', Number(target.query.get('ack')) || 0);
      return true;
    },
    close() {
      clearInterval(keepAlive);
      for (const pipe of pipes.values()) pipe.close(1001, 'server shutting down');
    },
  };
}

/** Reads a text body of at most `maxBytes`. */
async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, RtcErrorCode.Formatting, `the body exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
