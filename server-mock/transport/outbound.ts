import type { Clock } from '../ops/clock.js';
import type { Subscriber } from '../streams/stream.js';
import { sendBounded } from './backpressure.js';
import type { Pipe } from './pipe.js';

/** Longest a replay waits for the client to read half its send buffer; a client that reads nothing meanwhile is a slow consumer. */
export const REPLAY_STALL_MS = 10_000;

/** What an {@link Outbound} reports. */
export interface OutboundEvents {
  /** A frame went out (for the metrics). */
  sent(): void;
  /** The client reads too slowly: it is to be closed (4003). Called once. */
  slow(): void;
}

/**
 * The one way out of a session: every frame it sends (answers,
 * notifications, live and replayed events, messages addressed to it) goes
 * through here, bounded by `maxBuffered` bytes waiting for the client. A
 * client that falls further behind is closed as a slow consumer, never
 * skipped.
 */
export class Outbound implements Subscriber {
  private ended = false;

  constructor(
    private readonly pipe: Pipe,
    readonly maxBuffered: number,
    private readonly clock: Clock,
    private readonly events: OutboundEvents,
  ) {}

  /** Whether frames can still go out. */
  get open(): boolean {
    return !this.ended && this.pipe.open;
  }

  /** Sends `frame` unless the client reads too slowly, in which case it is closed as a slow consumer. */
  write(frame: string): boolean {
    if (!this.open) return false;
    if (!sendBounded(this.pipe, frame, this.maxBuffered)) {
      this.tooSlow();
      return false;
    }
    this.events.sent();
    return true;
  }

  /**
   * Sends a replayed frame, waiting for the client whenever half the buffer
   * is full: a long replay is never mistaken for a slow consumer, and a
   * client that reads nothing for {@link REPLAY_STALL_MS} is one.
   */
  async writePaced(frame: string): Promise<boolean> {
    if (!this.open) return false;
    if (this.pipe.bufferedAmount + frame.length <= this.maxBuffered / 2) this.pipe.send(frame);
    else if (!(await this.sendAndWait(frame))) {
      this.tooSlow();
      return false;
    }
    this.events.sent();
    return true;
  }

  tooSlow(): void {
    if (this.ended) return;
    this.events.slow();
  }

  /** Ends the way out: nothing more is sent. */
  end(): void {
    this.ended = true;
  }

  /** Sends `frame` and resolves true once it is flushed, or false if that takes longer than {@link REPLAY_STALL_MS}. */
  private sendAndWait(frame: string): Promise<boolean> {
    return new Promise((settle) => {
      const cancel = this.clock.after(REPLAY_STALL_MS, () => settle(false));
      this.pipe.send(frame, () => {
        cancel();
        settle(true);
      });
    });
  }
}
