import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { RtcErrorCode } from '../../protocol/index.js';
import { HttpError } from '../errors.js';

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

/** Headers of every static file: no MIME sniffing, no framing by other sites. */
const COMMON = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' };

/** Anything but a page or a script runs nothing and embeds nothing. */
const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * A script's own policy matters only when it runs as a worker (a worker takes the policy of its script's response):
 * then it may load this origin's scripts and open WebSockets and fetches to this origin, as the shared-mode worker does.
 */
const SCRIPT_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * A page's policy: scripts only from this origin plus the page's own inline
 * scripts, pinned by hash (so an injected one does not run), WebSockets and
 * fetches only to this origin, and no framing.
 */
function pageCsp(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Serves the file at `urlPath` under `root`; anything outside it (a symlink leading out included), or missing, is a 404. */
export async function serveFile(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(urlPath));
  } catch {
    throw new HttpError(400, RtcErrorCode.Formatting, 'bad path');
  }
  const notFound = (): HttpError => new HttpError(404, RtcErrorCode.UnknownResourceName, 'not found');
  const inside = (dir: string, path: string): boolean => path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  if (!inside(root, join(root, relative)) || relative.includes('\0')) throw notFound();
  // Resolved, so that a symlink under the root cannot lead out of it.
  const realRoot = await realpath(root).catch(() => undefined);
  const file = await realpath(join(root, relative)).catch(() => undefined);
  if (!realRoot || !file || !inside(realRoot, file)) throw notFound();
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw notFound();
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  if (extname(file) === '.html') {
    const html = await readFile(file);
    res.writeHead(200, { ...COMMON, 'content-type': type, 'content-length': html.length, 'content-security-policy': pageCsp(html.toString('utf8')) });
    return void res.end(req.method === 'HEAD' ? undefined : html);
  }
  const csp = type.startsWith('text/javascript') ? SCRIPT_CSP : NON_PAGE_CSP;
  res.writeHead(200, { ...COMMON, 'content-type': type, 'content-length': info.size, 'content-security-policy': csp });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
