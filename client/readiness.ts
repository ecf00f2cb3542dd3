import { checkWait, whenAborted, type AbortSignalLike } from './arguments.js';
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

/** Whether the server has accepted the client on the current link (see {@link createReadiness}). */
export interface Readiness {
  /** True once the server answered on the current link without refusing the token. */
  ready(): boolean;
  /** The server accepted the current link: settles every waiter. */
  accept(): void;
  /** The link is down: not ready until the next one is accepted. */
  lost(): void;
  /** Rejects every waiter, and every later call, with `error`. */
  close(error: RtmError): void;
  /** Resolves once ready; rejects with `closed`, `timeout`, `aborted` or `bad_argument`. */
  wait(options?: ReadyOptions): Promise<void>;
}

/**
 * Whether the server has accepted the client on the current link: an open
 * socket is not enough, since a server refuses a bad token only after the
 * upgrade. Settles the `ready()` promises, each bounded by a timeout, a
 * signal and the client's close.
 * @param why Says where the connection stands, for the timeout error.
 */
export function createReadiness(timers: Timers, defaultTimeout: number, why: () => string): Readiness {
  let accepted = false;
  let closed: RtmError | undefined;
  const waiters = new Set<Waiter>();
  // Over a copy: each waiter deletes itself as it settles.
  const settle = (error?: RtmError): void => Array.from(waiters).forEach((done) => done(error));
  return {
    ready: () => accepted,
    accept() {
      if (accepted) return;
      accepted = true;
      settle();
    },
    lost() {
      accepted = false;
    },
    close(error) {
      accepted = false;
      closed = error;
      settle(error);
    },
    wait: (options = {}) =>
      new Promise((resolve, reject) => {
        // What throws here (an argument at fault, a closed client) rejects the call.
        checkWait(options, ['timeout', 'signal'], 'ready option');
        const { timeout = defaultTimeout, signal } = options;
        if (closed) throw closed;
        if (accepted) return resolve();
        const done: Waiter = (error) => {
          waiters.delete(done);
          stop?.();
          release();
          if (error) reject(error);
          else resolve();
        };
        const release = whenAborted(signal, 'ready()', undefined, done);
        const stop = timeout === Infinity ? undefined : timers.set(() => done(new RtmError('timeout', `not connected within ${timeout} ms (${why()})`)), timeout);
        waiters.add(done);
      }),
  };
}
