import type { WebSocket } from 'ws';

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

/** A {@link Pipe} over one accepted WebSocket. */
export function webSocketPipe(ws: WebSocket): Pipe {
  return {
    transport: 'websocket',
    get open() {
      return ws.readyState === ws.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (frame, sent) => ws.send(frame, sent && (() => sent())),
    // A close reason is limited to 123 bytes; ws throws beyond that.
    close: (code, reason) => ws.close(code, Buffer.from(reason).subarray(0, 123).toString()),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    bind(handlers) {
      ws.on('message', (data, isBinary) => handlers.frame(data as Buffer, isBinary));
      ws.on('close', (code) => handlers.closed(code));
      ws.on('error', () => {
        // ws reports protocol violations (oversize frames, bad UTF-8) here and closes the socket itself; closed() cleans up.
      });
    },
  };
}
