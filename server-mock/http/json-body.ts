import type { IncomingMessage, ServerResponse } from 'node:http';
import { RtcErrorCode } from '../../protocol/index.js';
import { exceedsDepth } from '../session/json-depth.js';
import { HttpError } from '../errors.js';


/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Reads a JSON body of at most `maxBytes`, nested at most `maxDepth` deep. */
export async function readJson(req: IncomingMessage, maxBytes: number, maxDepth: number): Promise<unknown> {
  const tooBig = () => new HttpError(413, RtcErrorCode.Formatting, `the body exceeds ${maxBytes} bytes`);
  if (Number(req.headers['content-length']) > maxBytes) throw tooBig();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooBig();
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, RtcErrorCode.Formatting, 'the body is not valid JSON');
  }
  if (exceedsDepth(body, maxDepth)) throw new HttpError(400, RtcErrorCode.Formatting, 'the body nests too deeply');
  return body;
}
