import type { Clock } from '../ops/clock.js';
import type { Pipe, PipeHandlers } from './pipe.js';

/**
 * Where an HTTP session's frames go while a client holds a request open: a
 * streaming response, or one long poll, here or (routed through Redis) on
 * another instance.
 */
export interface Reader {
  /** True for a long poll: it ends after the first batch of frames. */
  readonly poll: boolean;
  /** For a poll: the id of the last batch the client read whole (0 for none). */
  readonly ack?: number;
  /** Bytes written but not yet taken by the network. */
  readonly pending: number;
  /** Writes wire text (see {@link sseFrame}). */
  write(text: string): void;
  /** Ends the request. */
  end(): void;
}

/** One RTC frame as a server-sent event; the stream and the long polls share this format. */
export const sseFrame = (frame: string): string => `data: ${frame}\n\n`;
/** A comment line: the stream's first byte, and its keep-alive. */
export const KEEP_ALIVE = ':\n\n';

/**
 * The {@link Pipe} of a session on the HTTP transports. Frames wait in a
 * queue whenever no reader is attached (between two polls, or while a stream
 * reconnects); the queue is bounded by the session's send-buffer limit, which
 * closes a session it would overflow (4003) so the client resubscribes and
 * recovers the rest from history. Without a reader for `window` ms, the
 * session is closed and its subscriptions dropped.
 *
 * A poll's batch starts with `id: <n>` and is kept until a later poll
 * acknowledges it: a poll whose answer was lost on the way (a browser
 * silently repeats a GET whose connection broke) gets the same batch again.
 * A stream has no such second chance: the client gives up a stream that broke,
 * and recovers on a new session.
 */
export class HttpPipe implements Pipe {
  private queue: Array<{ text: string; sent?: () => void }> = [];
  private queued = 0;
  private reader: Reader | undefined;
  private handlers: PipeHandlers | undefined;
  private closing = false;
  private ended = false;
  private batch: ReturnType<typeof setImmediate> | undefined;
  private cancelWindow: (() => void) | undefined;
  private batches = 0;
  private retained: { id: number; text: string } | undefined;

  constructor(
    /** The secret key the client's HTTP requests name the session by. */
    readonly key: string,
    /** Which HTTP transport the client said it uses, for metrics and logs. */
    readonly transport: 'http-stream' | 'long-poll',
    private readonly clock: Clock,
    private readonly window: number,
    /** Called once nothing more will be read from this pipe: the registry forgets it. */
    private readonly finished: (pipe: HttpPipe) => void,
  ) {
    this.armWindow();
  }

  get open(): boolean {
    return !this.closing;
  }

  get bufferedAmount(): number {
    return this.queued + (this.reader?.pending ?? 0);
  }

  bind(handlers: PipeHandlers): void {
    this.handlers = handlers;
  }

  /** Frames the client POSTed, one per line. */
  receive(body: string): void {
    if (this.closing) return;
    for (const line of body.split('\n')) if (line !== '') this.handlers?.frame(Buffer.from(line), false);
  }

  send(frame: string, sent?: () => void): void {
    if (this.closing) return;
    this.push(sseFrame(frame), sent);
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.push(`event: close\ndata: ${JSON.stringify({ code, reason: reason.slice(0, 123) })}\n\n`);
    this.handlers?.closed(code);
    // The close waits for a reader to collect it, within the window.
    if (!this.reader) this.armWindow();
  }

  /** The client said goodbye (or nobody read within the window): ends the session without anything left to send. */
  end(code: number): void {
    if (this.ended) return;
    this.closing = true;
    this.ended = true;
    this.cancelWindow?.();
    if (this.batch) clearImmediate(this.batch);
    const reader = this.reader;
    this.reader = undefined;
    reader?.end();
    this.queue = [];
    this.queued = 0;
    this.handlers?.closed(code);
    this.finished(this);
  }

  /** A stream or poll takes over from any before it (the client gave up on that one); what waits is written at once. */
  attach(reader: Reader): void {
    if (this.ended) return reader.end();
    const previous = this.reader;
    this.reader = reader;
    previous?.end();
    this.cancelWindow?.();
    this.cancelWindow = undefined;
    if (reader.poll && this.retained && this.retained.id > (reader.ack ?? 0)) {
      this.reader = undefined;
      reader.write(this.retained.text);
      reader.end();
      return this.armWindow();
    }
    this.retained = undefined;
    this.flush();
  }

  /** The reader's request ended; from now on frames wait, at most for the window. */
  detach(reader: Reader): void {
    if (this.reader !== reader) return;
    this.reader = undefined;
    this.armWindow();
  }

  /** Writes a keep-alive line to a stream reader, so proxies and the client see the link is alive. */
  keepAlive(): void {
    if (this.reader && !this.reader.poll && this.queue.length === 0) this.reader.write(KEEP_ALIVE);
  }

  private push(text: string, sent?: () => void): void {
    this.queue.push({ text, sent });
    this.queued += text.length;
    if (!this.reader) return;
    // A poll answers with everything that arrives in the same turn of the event loop, not one frame per request.
    if (this.reader.poll) this.batch ??= setImmediate(() => this.flush());
    else this.flush();
  }

  private flush(): void {
    this.batch = undefined;
    const reader = this.reader;
    if (!reader || this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    this.queued = 0;
    let text = queue.map((item) => item.text).join('');
    if (reader.poll) this.retained = { id: ++this.batches, text: (text = `id: ${this.batches}\n\n${text}`) };
    reader.write(text);
    for (const item of queue) item.sent?.();
    if (!reader.poll && !this.closing) return;
    // A poll ends with its batch; after the close, so does a stream. A closed poll session stays within the window,
    // in case the batch with the close has to be sent again.
    this.reader = undefined;
    reader.end();
    if (this.closing && !reader.poll) this.end(1000);
    else this.armWindow();
  }

  private armWindow(): void {
    this.cancelWindow?.();
    this.cancelWindow = this.clock.after(this.window, () => {
      this.cancelWindow = undefined;
      if (!this.reader) this.end(1001);
    });
  }
}
