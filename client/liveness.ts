import type { Timers } from './timers.js';


/** A timer that fires this much later than due was frozen (background tab, sleeping laptop). */
const FROZEN_SLACK_MS = 1_000;

/** Dead-link detection (see {@link createLiveness}). */
export interface Liveness {
  /**
   * Records that a frame arrived; also starts watching a freshly opened link. It arms no timer while one is armed:
   * that one, when it fires, finds the later deadline and waits for the rest, so a busy link costs no timer per frame.
   */
  heard(): void;
  /** Stops watching (the link closed). */
  stop(): void;
  /** Checks the deadlines now: pings after silence, declares the link dead after an unanswered ping. */
  check(): void;
  /** Sends a ping now, whatever the silence so far (e.g. after the network changed). */
  probe(): void;
}

/**
 * Detects a dead link within `interval + timeout` of wall-clock time. Deadlines
 * are `Date.now()` values, not timer counts, because timers freeze in background
 * tabs and during sleep; `check()` may also be called on wake-up signals.
 * @param settings `pingInterval`: silence (nothing received) after which a ping is sent; `pingTimeout`: how long a ping
 * may go unanswered before the link counts as dead; both in ms.
 * @param ping Sends a ping; any frame that arrives afterwards proves the link alive.
 * @param dead Called once when the link is found dead.
 */
export function createLiveness(
  { pingInterval: interval, pingTimeout: timeout }: { pingInterval: number; pingTimeout: number },
  timers: Timers,
  ping: () => void,
  dead: (reason: string) => void,
): Liveness {
  let heardAt = 0;
  let pingedAt = 0;
  let cancel: (() => void) | undefined;
  /** The deadline the armed timer is for. */
  let armedFor = 0;
  /** The next deadline: a pong's, while a ping is unanswered, else the next ping's. */
  const deadline = (): number => (pingedAt ? pingedAt + timeout : heardAt + interval);
  const stop = (): void => {
    cancel?.();
    cancel = undefined;
  };
  const arm = (): void => {
    cancel?.();
    armedFor = deadline();
    cancel = timers.set(check, armedFor - Date.now());
  };
  const check = (): void => {
    if (!cancel) return;
    const now = Date.now();
    const due = deadline();
    if (now < due) return arm();
    // A deadline missed by far means our timers were frozen, not that the server was silent: ask again before judging.
    if (pingedAt && now - due < FROZEN_SLACK_MS) {
      stop();
      return dead(`no pong within ${timeout} ms`);
    }
    probe();
  };
  const probe = (): void => {
    if (!cancel) return;
    pingedAt = Date.now();
    ping();
    arm();
  };
  return {
    heard() {
      heardAt = Date.now();
      pingedAt = 0;
      if (!cancel || armedFor > heardAt + interval) arm();
    },
    stop,
    check,
    probe,
  };
}
