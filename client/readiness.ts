import { checkWait, type AbortSignalLike } from './arguments.js';
import { RtmError } from './errors.js';
import type { Timers } from './timers.js';

/** Options of `ready()`. */
export interface ReadyOptions {
  /** Most ms to wait; then `ready()` rejects with `timeout`. Default: the client's `queueTimeout` (30 000); `Infinity` waits for ever. */
  timeout?: number;
  /** Gives up waiting: `ready()` rejects with `aborted`. */
  signal?: AbortSignalLike;
}

type Waiter = (error?: RtmError) => void;

/**
 * Whether the server has accepted the client on the current link: an open
 * socket is not enough, since a server refuses a bad token only after the
 * upgrade. Settles the `ready()` promises, each bounded by a timeout, a
 * signal and the client's close.
 */
export class Readiness {
  private accepted = false;
  private closed: RtmError | undefined;
  private readonly waiters = new Set<Waiter>();

  /** @param why Says where the connection stands, for the timeout error. */
  constructor(
    private readonly timers: Timers,
    private readonly timeout: number,
    private readonly why: () => string,
  ) {}

  /** True once the server answered on the current link without refusing the token. */
  get ready(): boolean {
    return this.accepted;
  }

  /** The server accepted the current link: settles every waiter. */
  accept(): void {
    if (this.accepted) return;
    this.accepted = true;
    for (const done of [...this.waiters]) done();
  }

  /** The link is down: not ready until the next one is accepted. */
  lost(): void {
    this.accepted = false;
  }

  /** Rejects every waiter, and every later call, with `error`. */
  close(error: RtmError): void {
    this.accepted = false;
    this.closed = error;
    for (const done of [...this.waiters]) done(error);
  }

  /** Resolves once ready; rejects with `closed`, `timeout`, `aborted` or `bad_argument`. */
  wait(options: ReadyOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        checkWait(options, ['timeout', 'signal'], 'ready option');
      } catch (error) {
        return reject(error);
      }
      const { timeout = this.timeout, signal } = options;
      if (this.closed) return reject(this.closed);
      if (this.accepted) return resolve();
      if (signal?.aborted) return reject(new RtmError('aborted', 'ready() was aborted', undefined, { cause: signal.reason }));
      const done: Waiter = (error) => {
        this.waiters.delete(done);
        stop?.();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => done(new RtmError('aborted', 'ready() was aborted', undefined, { cause: signal!.reason }));
      signal?.addEventListener('abort', onAbort);
      const stop = timeout === Infinity ? undefined : this.timers.set(() => done(new RtmError('timeout', `not connected within ${timeout} ms (${this.why()})`)), timeout);
      this.waiters.add(done);
    });
  }
}
