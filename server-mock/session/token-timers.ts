import type { Clock } from '../ops/clock.js';
import type { SessionTiming } from '../config/options.js';
import { type Deadline, type DeadlineSweep, sweepOf } from '../ops/deadline-sweep.js';

/** What happens when a connection's token timers fire. */
export interface TokenTimerActions {
  /** Time to send notification 1. */
  remind(exp: number): void;
  /** The token ran out (plus grace) without a replacement. */
  expire(): void;
  /** A token-less connection did not authenticate in time. */
  authTimeout(): void;
}

/** Which of a connection's token deadlines fired. */
const enum Due {
  Token,
  Remind,
  Expire,
}

/**
 * The timers of one connection's token: the wait for a first token, then
 * the reminder and the expiry of each token in turn. Arming replaces what
 * was armed before, so a `jwt replace` simply re-arms. The deadlines live in
 * the clock's one {@link DeadlineSweep}, not in a platform timer each.
 */
export class TokenTimers {
  private readonly sweep: DeadlineSweep;
  private first: Deadline<Due> | undefined;
  private second: Deadline<Due> | undefined;
  private exp = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timing: SessionTiming,
    private readonly actions: TokenTimerActions,
  ) {
    this.sweep = sweepOf(clock);
  }

  /** Waits `authTimeout` seconds for a first token. */
  awaitToken(): void {
    this.cancel();
    this.first = this.sweep.add(this.timing.authTimeout * 1000, this, Due.Token);
  }

  /** Arms the reminder and expiry for a token expiring at `exp` (seconds since the epoch). */
  armFor(exp: number): void {
    this.cancel();
    this.exp = exp;
    const lifetime = Math.max(0, exp - this.clock.now() / 1000);
    // The reminder never comes before half-way: a short-lived token is not told to renew the moment it arrives.
    const remindIn = lifetime - Math.min(this.timing.reminder, lifetime / 2);
    this.first = this.sweep.add(remindIn * 1000, this, Due.Remind);
    this.second = this.sweep.add((lifetime + this.timing.grace) * 1000, this, Due.Expire);
  }

  /** Cancels everything armed. */
  cancel(): void {
    if (this.first) this.sweep.remove(this.first);
    if (this.second) this.sweep.remove(this.second);
    this.first = this.second = undefined;
  }

  /** Called by the sweep when a deadline falls due. */
  fire(due: Due): void {
    if (due === Due.Token) this.actions.authTimeout();
    else if (due === Due.Remind) this.actions.remind(this.exp);
    else this.actions.expire();
  }
}
