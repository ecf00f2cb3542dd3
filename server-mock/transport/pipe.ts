import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { textFrame } from './ws-frame.js';

/** How a session's frames travel: one WebSocket, or HTTP (one streaming response, or long polls; commands as POSTs). */
export type TransportKind = 'websocket' | 'http-stream' | 'long-poll';

/** What a session hears from its pipe. */
export interface PipeHandlers {
  /** One frame from the client. */
  frame(data: Buffer, isBinary: boolean): void;
  /** The pipe ended, with the close code sent or received. */
  closed(code: number): void;
}

/**
 * The transport under a {@link Session}: the session speaks RTC frames, the
 * pipe carries them. Keeping the session blind to the transport is what makes
 * auth, limits, expiry, logging and shutdown identical over every transport.
 */
export interface Pipe {
  /** The transport, for metrics and logs. */
  readonly transport: TransportKind;
  /** False once closing or closed: nothing more is sent. */
  readonly open: boolean;
  /** Bytes accepted by {@link send} but not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Queues a frame; `sent` runs once it has left (for pacing a replay). */
  send(frame: string, sent?: () => void): void;
  /** Ends the pipe with a close code and reason the client can read. */
  close(code: number, reason: string): void;
  /** Starts handing the client's frames and the pipe's end to the session. */
  bind(handlers: PipeHandlers): void;
  /** Stops reading the client's frames for a while (pacing); transports that cannot leave it out. */
  pause?(): void;
  /** Reads the client's frames again after {@link pause}. */
  resume?(): void;
}

/** The session's handlers, kept on the socket so that one set of listeners serves every socket. */
const HANDLERS = Symbol('pipe handlers');
type BoundSocket = WebSocket & { [HANDLERS]?: PipeHandlers };

function onMessage(this: BoundSocket, data: WebSocket.RawData, isBinary: boolean): void {
  this[HANDLERS]!.frame(data as Buffer, isBinary);
}

function onClose(this: BoundSocket, code: number): void {
  this[HANDLERS]!.closed(code);
}

// ws reports protocol violations (oversize frames, bad UTF-8) here and closes the socket itself; closed() cleans up.
function ignoreError(): void {}

/**
 * The turn, counted while frames go out: what runs until the next `process.nextTick` (the rest of one I/O callback,
 * its microtasks included). A socket that gets a second frame in one turn is corked until the turn ends.
 */
let turn = 0;
let turnEnding = false;
const corked: Duplex[] = [];

/** Ends the turn: each socket corked in it hands the kernel all its frames at once. */
function endTurn(): void {
  turnEnding = false;
  turn += 1;
  for (const socket of corked) socket.uncork();
  corked.length = 0;
}

/**
 * A {@link Pipe} over one accepted WebSocket. A class with shared listeners rather than an object of closures: an
 * idle connection costs what it holds, and a server holds tens of thousands.
 *
 * Frames are written to the WebSocket's own socket as whole frames built once per text ({@link textFrame}), not
 * through `ws.send`, which encodes and frames the text again for every socket a fan-out reaches. That is sound
 * because `ws` (without permessage-deflate, and never sent a Blob: the server sends neither) writes each of its own
 * frames (ping, pong, close) to the socket synchronously and whole, so frames never interleave; because nothing is
 * written once `ws` has begun closing (see {@link send}); and because `ws.bufferedAmount` counts what waits in the
 * socket, these frames too (corked ones as well), so the outbound bound still holds.
 */
class WebSocketPipe implements Pipe {
  /** The turn of the last frame sent. */
  private turn = -1;

  constructor(
    private readonly ws: BoundSocket,
    /** The socket the upgrade handed to `ws`, or undefined to send through `ws.send`. */
    private readonly socket: Duplex | undefined,
  ) {}

  get transport(): 'websocket' {
    return 'websocket';
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(frame: string, sent?: () => void): void {
    // Once closing, ws refuses to send (its close frame may be out); it also knows what to do with the callback.
    if (this.socket === undefined || this.ws.readyState !== this.ws.OPEN) return this.ws.send(frame, sent);
    // The first frame of a turn goes out at once; more in the same turn (a burst, a replay) wait for its end and go
    // out in one writev.
    if (this.turn !== turn) {
      this.turn = turn;
      if (!turnEnding) {
        turnEnding = true;
        process.nextTick(endTurn);
      }
    } else if (this.socket.writableCorked === 0) {
      this.socket.cork();
      corked.push(this.socket);
    }
    this.socket.write(textFrame(frame), sent);
  }

  close(code: number, reason: string): void {
    // A close reason is limited to 123 bytes; ws throws beyond that.
    this.ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  bind(handlers: PipeHandlers): void {
    this.ws[HANDLERS] = handlers;
    this.ws.on('message', onMessage);
    this.ws.on('close', onClose);
    this.ws.on('error', ignoreError);
  }
}

/**
 * A {@link Pipe} over one accepted WebSocket; `socket` is the one the upgrade handed to `ws` (`handleUpgrade`), to
 * which frames are written directly when the connection negotiated no extension.
 */
export function webSocketPipe(ws: WebSocket, socket?: Duplex): Pipe {
  return new WebSocketPipe(ws, ws.extensions === '' ? socket : undefined);
}
