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
 * Reminders never come closer together than this. Clients answer a reminder
 * with `jwt replace` (the official SDK does so for every notification); one
 * whose clock runs behind, or whose token source hands out tokens that are
 * already due, would otherwise be reminded again at once, and again.
 */
export const REMINDER_FLOOR_MS = 2_000;

/**
 * The timers of one connection's token: the wait for a first token, then
 * the reminder and the expiry of each token in turn. There is one reminder
 * per token expiry: a `jwt replace` with a token expiring no later than one
 * already reminded about (the same token sent again, typically) is not
 * reminded about again. The connection closes at `exp` + grace whatever the
 * reminders did. The deadlines live in the clock's one {@link DeadlineSweep},
 * not in a platform timer each.
 */
export class TokenTimers {
  private readonly sweep: DeadlineSweep;
  private first: Deadline<Due> | undefined;
  private second: Deadline<Due> | undefined;
  /** The `exp` the reminder and expiry are armed for. */
  private armed: number | undefined;
  /** The latest `exp` a reminder was sent for, and when (clock milliseconds). */
  private reminded: { exp: number; at: number } | undefined;

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
    // The same expiry again (the same token, replaced in answer to its reminder): what is armed stands.
    if (exp === this.armed) return;
    this.cancel();
    this.armed = exp;
    const now = this.clock.now();
    const closeAt = (exp + this.timing.grace) * 1000;
    this.second = this.sweep.add(closeAt - now, this, Due.Expire);
    if (this.reminded && exp <= this.reminded.exp) return;
    const lifetime = Math.max(0, exp * 1000 - now);
    // The reminder never comes before half-way: a short-lived token is not told to renew the moment it arrives.
    let remindAt = now + lifetime - Math.min(this.timing.reminder * 1000, lifetime / 2);
    if (this.reminded) remindAt = Math.max(remindAt, this.reminded.at + REMINDER_FLOOR_MS);
    if (remindAt < closeAt) this.first = this.sweep.add(remindAt - now, this, Due.Remind);
  }

  /** Cancels everything armed. */
  cancel(): void {
    if (this.first) this.sweep.remove(this.first);
    if (this.second) this.sweep.remove(this.second);
    this.first = this.second = undefined;
    this.armed = undefined;
  }

  /** Called by the sweep when a deadline falls due. */
  fire(due: Due): void {
    if (due === Due.Token) this.actions.authTimeout();
    else if (due === Due.Remind) {
      this.reminded = { exp: this.armed!, at: this.clock.now() };
      this.actions.remind(this.armed!);
    }
    else this.actions.expire();
  }
}
