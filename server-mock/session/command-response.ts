import type { Json, RtcError } from '../../protocol/index.js';

/** A text frame as received: its text, and its value when the text is JSON. */
export interface ReceivedFrame {
  text: string;
  /** The parsed value; `undefined` when the text is not JSON. */
  value: unknown;
}

/** Reads a text frame; its value is undefined when it is not JSON. */
export function readFrame(text: string): ReceivedFrame {
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    return { text, value: undefined };
  }
}

/**
 * The `request` a command response carries, as JSON text: the whole request
 * message re-serialised as parsed (same keys, same order, nothing added), or
 * `null` when there is none or it did not parse. The official RTC SDK finds
 * its pending call by `JSON.stringify` of the exact frame it sent, so an echo
 * of less (or more) would leave its calls unanswered. A frame too deep to
 * re-serialise is echoed as its own text, which parses to the same value.
 */
export function echoOf(frame: ReceivedFrame | undefined): string {
  if (frame === undefined || frame.value === undefined) return 'null';
  try {
    return JSON.stringify(frame.value);
  } catch {
    return frame.text;
  }
}

/** Serializes a `command response` around an {@link echoOf} request. */
export function commandResponse(request: string, outcome: { response: Json } | { error: RtcError }): string {
  return `{"type":"command response","data":{"request":${request},${JSON.stringify(outcome).slice(1)}}`;
}
