import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { RtcErrorCode, isObject, type Json } from '../client/protocol.js';
import type { Auth } from './auth.js';
import { isChannelName } from './channels.js';
import type { Hub } from './hub.js';
import { exceedsDepth } from './json.js';
import type { Logger } from './log.js';

/** Largest REST body accepted. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What the HTTP routes need. */
export interface HttpContext {
  hub: Hub;
  auth: Auth;
  log: Logger;
  /** The REST API key; REST publishing is off without one. */
  apiKey: string | undefined;
  /** Development mode: serves `/api/dev/token`. */
  dev: boolean;
  /** Folder served at `/`. */
  publicDir: string;
  /** Folder served at `/dist/`. */
  distDir: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly info: string,
  ) {
    super(info);
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Builds the HTTP request handler: REST API, health, dev tokens and static files. */
export function createHttpHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const keyDigest = ctx.apiKey === undefined ? undefined : digest(ctx.apiKey);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/api/broadcast') {
      if (req.method !== 'POST') throw new HttpError(405, RtcErrorCode.UnknownCommand, 'use POST');
      return broadcast(req, res);
    }
    if (path === '/api/dev/token' && ctx.dev) return devToken(url, res);
    if (path.startsWith('/api/')) throw new HttpError(404, RtcErrorCode.UnknownCommand, 'no such endpoint');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, RtcErrorCode.UnknownCommand, 'use GET');
    if (path.startsWith('/dist/')) return serveFile(ctx.distDir, path.slice('/dist'.length), req, res);
    return serveFile(ctx.publicDir, path === '/' ? '/index.html' : path, req, res);
  };

  const broadcast = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (keyDigest === undefined) throw new HttpError(503, RtcErrorCode.Internal, 'REST publishing is off: the server has no API key');
    const presented = readApiKey(req);
    if (presented === undefined || !timingSafeEqual(digest(presented), keyDigest)) {
      ctx.log.warn('api_key_rejected', { ip: req.socket.remoteAddress });
      throw new HttpError(401, RtcErrorCode.Unauthorized, 'missing or wrong API key (send it as x-api-key)');
    }
    const body = await readJson(req);
    if (!isObject(body)) throw new HttpError(400, RtcErrorCode.Formatting, 'the body must be a JSON object {channel, eventName, payload}');
    const { channel } = body;
    // The seed's MLE module sends eventName; its PL/SQL package sends event_name.
    const eventName = body.eventName ?? body.event_name ?? null;
    if (!isChannelName(channel)) throw new HttpError(400, RtcErrorCode.UnknownResourceName, 'channel must be 1-255 of A-Z a-z 0-9 _ : . @ -');
    if (eventName !== null && typeof eventName !== 'string') throw new HttpError(400, RtcErrorCode.Formatting, 'eventName must be a string or null');
    const payload = (body.payload ?? null) as Json;
    const recipients = ctx.hub.publish(channel, { eventName, payload }, 'api:default');
    ctx.log.info('broadcast', { channel, eventName, recipients, ip: req.socket.remoteAddress });
    sendJson(res, 200, { ok: true, channel, eventName, recipients });
  };

  const devToken = async (url: URL, res: ServerResponse): Promise<void> => {
    const sub = url.searchParams.get('sub') || `guest-${randomBytes(4).toString('hex')}`;
    if (sub.length > 128 || !/^[A-Za-z0-9_.@-]+$/.test(sub)) throw new HttpError(400, RtcErrorCode.Formatting, 'sub must be 1-128 of A-Z a-z 0-9 _ . @ -');
    const ttl = Number(url.searchParams.get('ttl') ?? 3600);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) throw new HttpError(400, RtcErrorCode.Formatting, 'ttl must be 1-86400 seconds');
    const token = await ctx.auth.sign(sub, ttl);
    res.setHeader('cache-control', 'no-store');
    sendJson(res, 200, { token, sub, expiresIn: ttl });
  };

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: { code: error.code, info: error.info } });
      ctx.log.error('http_error', { error: String(error) });
      sendJson(res, 500, { error: { code: RtcErrorCode.Internal, info: 'internal error' } });
    });
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function readApiKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, RtcErrorCode.Formatting, `the body exceeds ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, RtcErrorCode.Formatting, `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, RtcErrorCode.Formatting, 'the body is not valid JSON');
  }
  if (exceedsDepth(body)) throw new HttpError(400, RtcErrorCode.Formatting, 'the body nests too deeply');
  return body;
}

async function serveFile(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(urlPath));
  } catch {
    throw new HttpError(400, RtcErrorCode.Formatting, 'bad path');
  }
  const file = join(root, relative);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || relative.includes('\0')) throw new HttpError(404, RtcErrorCode.UnknownResourceName, 'not found');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new HttpError(404, RtcErrorCode.UnknownResourceName, 'not found');
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-cache' });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
