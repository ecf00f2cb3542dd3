// The WebSocket pipe writes pre-built frames to the socket ws runs on, beside ws's own frames. Seen from a client
// that reads the raw bytes off the wire, so a frame cut short, interleaved or written after the close would show.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { systemClock } from '../ops/clock.js';
import { Outbound } from './outbound.js';
import { webSocketPipe, type Pipe } from './pipe.js';
import { textFrame } from './ws-frame.js';

interface Frame {
  opcode: number;
  payload: Buffer;
}

/** Splits server-to-client frames (unmasked, final); throws on a header that makes no sense. */
function parseFrames(bytes: Buffer): { frames: Frame[]; rest: number } {
  const frames: Frame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const fin = bytes[at]! & 0x80;
    const opcode = bytes[at]! & 0x0f;
    if (!fin || bytes[at + 1]! & 0x80 || ![0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode)) throw new Error(`not a server frame at byte ${at}`);
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > bytes.length) break;
    frames.push({ opcode, payload: bytes.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return { frames, rest: bytes.length - at };
}

/** A client that completes the handshake by hand and keeps every frame the server sends after it. */
class RawClient {
  /** Bytes of a frame still arriving. */
  private pending = Buffer.alloc(0);
  private readonly received: Frame[] = [];
  private waiters: (() => void)[] = [];
  readonly ended: Promise<void>;

  private constructor(
    readonly socket: Socket,
    head: Buffer,
  ) {
    this.take(head);
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const key = Buffer.from('0123456789abcdef').toString('base64');
    socket.write(`GET /rtc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let bytes = Buffer.alloc(0);
    while (!bytes.includes('\r\n\r\n')) bytes = Buffer.concat([bytes, await new Promise<Buffer>((resolve) => socket.once('data', resolve))]);
    socket.pause();
    const end = bytes.indexOf('\r\n\r\n') + 4;
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    expect(bytes.subarray(0, end).toString()).toContain(`Sec-WebSocket-Accept: ${accept}`);
    const client = new RawClient(socket, bytes.subarray(end));
    socket.resume();
    return client;
  }

  private take(chunk: Buffer): void {
    const { frames, rest } = parseFrames(this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]));
    this.received.push(...frames.map((f) => ({ opcode: f.opcode, payload: Buffer.from(f.payload) })));
    this.pending = Buffer.from(chunk.length >= rest ? chunk.subarray(chunk.length - rest) : Buffer.concat([this.pending, chunk]).subarray(-rest));
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Whole frames received so far. */
  frames(): Frame[] {
    return this.received;
  }

  /** Resolves once `done()` holds, checked whenever bytes arrive. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => (done() ? resolve() : void this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  /** Sends a masked close frame with `code`, as a client must. */
  sendClose(code: number): void {
    const mask = Buffer.from([1, 2, 3, 4]);
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
    this.socket.write(Buffer.concat([Buffer.from([0x88, 0x80 | body.length]), mask, body]));
  }
}

/** A ws server (no extensions, as the reference server runs it) handing each accepted connection to `accepted`. */
async function serve(accepted: (ws: WebSocket, socket: Duplex) => void): Promise<{ http: Server; port: number }> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const http = createServer();
  http.on('upgrade', (req, socket, head) => {
    sockets.push(socket);
    wss.handleUpgrade(req, socket, head, (ws) => accepted(ws, socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  open.push(http);
  return { http, port: (http.address() as AddressInfo).port };
}

const open: Server[] = [];
const sockets: Duplex[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const http of open.splice(0)) await new Promise((resolve) => http.close(resolve));
});

/** One accepted connection: its pipe, the ws under it, and the raw client at the other end. */
async function connection(): Promise<{ pipe: Pipe; ws: WebSocket; socket: Duplex; client: RawClient }> {
  let accepted!: (value: { pipe: Pipe; ws: WebSocket; socket: Duplex }) => void;
  const ready = new Promise<{ pipe: Pipe; ws: WebSocket; socket: Duplex }>((resolve) => (accepted = resolve));
  const { port } = await serve((ws, socket) => {
    ws.on('error', () => {});
    accepted({ pipe: webSocketPipe(ws, socket), ws, socket });
  });
  const client = await RawClient.open(port);
  return { ...(await ready), client };
}

const texts = (frames: Frame[]) => frames.filter((f) => f.opcode === 0x1).map((f) => f.payload.toString());

describe('textFrame', () => {
  it('frames text of every header size (7-bit, 16-bit and 64-bit lengths) with its UTF-8 length', () => {
    for (const text of ['', 'a', 'é€😀', 'x'.repeat(125), 'x'.repeat(126), '€'.repeat(42), 'x'.repeat(65_535), 'x'.repeat(65_536), 'é'.repeat(40_000)]) {
      const { frames, rest } = parseFrames(textFrame(text));
      expect(rest).toBe(0);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.opcode).toBe(0x1);
      expect(frames[0]!.payload.toString()).toBe(text);
    }
  });

  it('builds a text once for consecutive sockets, and never hands out one text’s frame for another', () => {
    const a = `{"a":${'1'.repeat(200)}}`;
    const b = `{"a":${'2'.repeat(200)}}`;
    expect(textFrame(a)).toBe(textFrame(a));
    expect(textFrame(b)).toBe(textFrame(b));
    expect(textFrame(a)).toBe(textFrame(a));
    expect(textFrame(b).subarray(4).toString()).toBe(b);
    expect(textFrame(a.slice(0, -1) + '}').subarray(4).toString()).toBe(a);
  });
});

describe('the WebSocket pipe', () => {
  it('delivers its frames whole and in order among ws’s own pings and pongs, also while the socket is backed up', async () => {
    const { pipe, ws, client } = await connection();
    // Sizes across all three header forms; multi-byte text, so bytes and characters differ.
    const sizes = [1, 125, 126, 3_000, 65_535, 65_536, 70_000];
    const sent: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 150; i++) {
      const text = `${i}:${'é'.repeat(Math.floor(sizes[i % sizes.length]! / 2))}`;
      pipe.send(text);
      sent.push(text);
      expected.push(`text ${i}`);
      if (i % 3 === 0) {
        ws.ping(`p${i}`);
        expected.push(`ping p${i}`);
      }
      if (i % 7 === 0) {
        ws.pong(`q${i}`);
        expected.push(`pong q${i}`);
      }
    }
    // The loop ran without yielding: the kernel took a little and the rest waited in the socket, ws's frames with it.
    expect(pipe.bufferedAmount).toBeGreaterThan(0);
    await client.until(() => client.frames().length === expected.length);
    const frames = client.frames();
    let n = 0;
    const seen = frames.map((f) => (f.opcode === 0x1 ? `text ${n++}` : `${f.opcode === 0x9 ? 'ping' : 'pong'} ${f.payload.toString()}`));
    expect(seen).toEqual(expected);
    expect(texts(frames)).toEqual(sent);
  });

  it('writes nothing after ws’s close frame when the server closes, also in the turn that corked the socket', async () => {
    const { pipe, ws, client } = await connection();
    pipe.send('before');
    pipe.send('corked');
    pipe.close(4003, 'slow consumer');
    expect(pipe.open).toBe(false);
    pipe.send('after');
    ws.ping('late');
    // The server ends the TCP connection once the client answers the close; everything sent is in by then.
    await client.until(() => client.frames().some((f) => f.opcode === 0x8));
    client.sendClose(4003);
    await client.ended;
    const frames = client.frames();
    expect(frames.map((f) => f.opcode)).toEqual([0x1, 0x1, 0x8]);
    expect(texts(frames)).toEqual(['before', 'corked']);
    expect(frames[2]!.payload.readUInt16BE(0)).toBe(4003);
  });

  it('sends the first frame of a turn at once and hands the kernel the rest of that turn’s frames together when it ends', async () => {
    const { pipe, client } = await connection();
    pipe.send('one');
    // An idle loopback socket takes a small write at once: nothing waits.
    expect(pipe.bufferedAmount).toBe(0);
    pipe.send('two');
    pipe.send('three');
    // The next two wait in the (corked) socket, counted by bufferedAmount, until the turn ends.
    expect(pipe.bufferedAmount).toBe(textFrame('two').length + textFrame('three').length);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pipe.bufferedAmount).toBe(0);
    await client.until(() => client.frames().length === 3);
    expect(texts(client.frames())).toEqual(['one', 'two', 'three']);
    // A later turn starts afresh: its first frame goes out at once again.
    pipe.send('four');
    expect(pipe.bufferedAmount).toBe(0);
  });

  it('writes nothing after ws’s close frame when the client closes', async () => {
    const { pipe, socket, client } = await connection();
    pipe.send('before');
    await client.until(() => client.frames().length === 1);
    // Listening after ws: when this runs, ws has read the client's close and answered it, and the session may
    // still be sending before it hears of the close.
    let tried = false;
    socket.on('data', () => {
      expect(pipe.open).toBe(false);
      pipe.send('after');
      tried = true;
    });
    client.sendClose(1000);
    await client.ended;
    expect(tried).toBe(true);
    expect(client.frames().map((f) => f.opcode)).toEqual([0x1, 0x8]);
  });

  it('closes a client that stops reading once its frames waiting in the socket pass the bound, and no sooner', async () => {
    const { pipe, client } = await connection();
    client.socket.pause();
    const maxBuffered = 256 * 1024;
    let slow = 0;
    const out = new Outbound(pipe, maxBuffered, systemClock, { sent() {}, slow: () => (slow += 1) });
    const frame = `{"type":"event","data":"${'x'.repeat(4_000)}"}`;
    // The kernel takes a few MB before anything waits in the socket; then the bound bites.
    let written = 0;
    while (slow === 0 && written < 20_000) {
      expect(pipe.bufferedAmount).toBeLessThanOrEqual(maxBuffered);
      if (out.write(frame)) written += 1;
    }
    expect(slow).toBe(1);
    expect(pipe.bufferedAmount).toBeGreaterThan(maxBuffered - frame.length - 10);
    expect(pipe.bufferedAmount).toBeLessThanOrEqual(maxBuffered);
  });
});
