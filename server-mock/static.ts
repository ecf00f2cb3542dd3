import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { RtcErrorCode } from '../client/protocol.js';
import { HttpError } from './http-json.js';

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

/** Serves the file at `urlPath` under `root`; anything outside it, or missing, is a 404. */
export async function serveFile(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
