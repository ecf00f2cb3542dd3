import type { Timers } from './timers.js';

/** Settings of {@link Liveness}. */
export interface LivenessOptions {
  /** Silence (nothing received) after which a ping is sent, in ms. */
  interval: number;
  /** How long a ping may go unanswered before the link counts as dead, in ms. */
  timeout: number;
  /** Sends a ping; any frame that arrives afterwards proves the link alive. */
  ping: () => void;
  /** Called once when the link is found dead. */
  dead: (reason: string) => void;
  timers: Timers;
}

/** A timer that fires this much later than due was frozen (background tab, sleeping laptop). */
const FROZEN_SLACK_MS = 1_000;

/**
 * Detects a dead link within `interval + timeout` of wall-clock time. Deadlines
 * are `Date.now()` values, not timer counts, because timers freeze in background
 * tabs and during sleep; `check()` may also be called on wake-up signals.
 */
export class Liveness {
  private heardAt = 0;
  private pingedAt = 0;
  private cancel: (() => void) | undefined;
  /** The deadline the armed timer is for. */
  private armedFor = 0;

  constructor(private readonly options: LivenessOptions) {}

  /**
   * Records that a frame arrived; also starts watching a freshly opened link. It arms no timer while one is armed:
   * that one, when it fires, finds the later deadline and waits for the rest, so a busy link costs no timer per frame.
   */
  heard(): void {
    this.heardAt = Date.now();
    this.pingedAt = 0;
    if (!this.cancel || this.armedFor > this.heardAt + this.options.interval) this.arm();
  }

  /** Stops watching (the link closed). */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** Checks the deadlines now: pings after silence, declares the link dead after an unanswered ping. */
  check(): void {
    if (!this.cancel) return;
    const now = Date.now();
    const { interval, timeout } = this.options;
    const due = this.pingedAt ? this.pingedAt + timeout : this.heardAt + interval;
    if (now < due) return this.arm();
    // A deadline missed by far means our timers were frozen, not that the server was silent: ask again before judging.
    if (this.pingedAt && now - due < FROZEN_SLACK_MS) {
      this.stop();
      return this.options.dead(`no pong within ${timeout} ms`);
    }
    this.probe();
  }

  /** Sends a ping now, whatever the silence so far (e.g. after the network changed). */
  probe(): void {
    if (!this.cancel) return;
    this.pingedAt = Date.now();
    this.options.ping();
    this.arm();
  }

  private arm(): void {
    this.cancel?.();
    const { interval, timeout, timers } = this.options;
    const due = (this.armedFor = this.pingedAt ? this.pingedAt + timeout : this.heardAt + interval);
    this.cancel = timers.set(() => this.check(), due - Date.now());
  }
}
