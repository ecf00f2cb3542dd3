/**
 * rtm-kit's extensions to RTC are opt-in, per subscription: the official
 * SDK's end-to-end schemas reject unknown keys, so a subscription that does
 * not ask sees exactly RTC's own frames. This is the one list of what asks.
 */
import { isObject } from './messages.js';

/**
 * The subscribe arguments that opt a subscription into rtm-kit's extensions
 * to RTC, each with the test of whether it asks. A subscription that asks
 * for any of them gets every extension field on its events and responses
 * (`offset`, `epoch`, the stream position, `recovered`); one that asks for
 * none sees exactly RTC's own frames. New opt-in arguments go here.
 */
const OPT_INS: Readonly<Record<string, (value: unknown) => boolean>> = {
  /** Explicitly: `positions: true`. */
  positions: (value) => value === true,
  /** Recovery needs the positions it resumes from. */
  since: (value) => value !== undefined,
};

/** The subscribe argument the rtm-kit client always sends: it recovers what a dropped link missed by position. */
export const ASK_FOR_POSITIONS = { positions: true } as const;

/** True when subscribe `args` ask for any extension (see {@link OPT_INS}). */
export function asksForExtensions(args: unknown): boolean {
  return isObject(args) && Object.entries(OPT_INS).some(([name, asks]) => asks(args[name]));
}
