import type { Clock } from '../ops/clock.js';
import type { SessionTiming } from '../config/options.js';

/** What happens when a connection's token timers fire. */
export interface TokenTimerActions {
  /** Time to send notification 1. */
  remind(exp: number): void;
  /** The token ran out (plus grace) without a replacement. */
  expire(): void;
  /** A token-less connection did not authenticate in time. */
  authTimeout(): void;
}

/**
 * The timers of one connection's token: the wait for a first token, then
 * the reminder and the expiry of each token in turn. Arming replaces what
 * was armed before, so a `jwt replace` simply re-arms.
 */
export class TokenTimers {
  private cancels: Array<() => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly timing: SessionTiming,
    private readonly actions: TokenTimerActions,
  ) {}

  /** Waits `authTimeout` seconds for a first token. */
  awaitToken(): void {
    this.cancel();
    this.cancels.push(this.clock.after(this.timing.authTimeout * 1000, () => this.actions.authTimeout()));
  }

  /** Arms the reminder and expiry for a token expiring at `exp` (seconds since the epoch). */
  armFor(exp: number): void {
    this.cancel();
    const lifetime = Math.max(0, exp - this.clock.now() / 1000);
    // The reminder never comes before half-way: a short-lived token is not told to renew the moment it arrives.
    const remindIn = lifetime - Math.min(this.timing.reminder, lifetime / 2);
    this.cancels.push(
      this.clock.after(remindIn * 1000, () => this.actions.remind(exp)),
      this.clock.after((lifetime + this.timing.grace) * 1000, () => this.actions.expire()),
    );
  }

  /** Cancels everything armed. */
  cancel(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels = [];
  }
}
