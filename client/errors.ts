import type { Json } from '../protocol/index.js';

/**
 * Codes of errors raised by the client itself, next to the numeric RTC codes
 * the server sends.
 * - `disconnected`: the link dropped before the server answered, or it is down and queuing is off.
 * - `timeout`: the server did not answer in time, or the command waited longer than `queueTimeout` for the connection (never sent).
 * - `aborted`: the caller's `AbortSignal` fired.
 * - `closed`: the client was closed.
 * - `outbox_full`: too many commands are waiting for the connection.
 * - `too_large`: the command's frame is over `maxPayload` bytes; nothing was sent.
 * - `connect`: connection attempts fail (the info says where and why); reported once per cause, retried with backoff.
 * - `bad_argument`: the call was made with invalid arguments.
 * - `token`: a token could not be obtained (retried with backoff).
 * - `unauthorized`: the token was refused for good; the client has stopped.
 * - `handler`: a listener threw; the error is reported, other listeners still ran.
 * - `protocol`: the server sent a frame the client could not read.
 */
export type ClientErrorCode =
  | 'disconnected'
  | 'timeout'
  | 'aborted'
  | 'closed'
  | 'outbox_full'
  | 'too_large'
  | 'connect'
  | 'bad_argument'
  | 'token'
  | 'unauthorized'
  | 'handler'
  | 'protocol';

/** An error from the server (numeric RTC code) or from the client (string code). */
export class RtmError extends Error {
  /** The RTC error code from the server, or a {@link ClientErrorCode}. */
  readonly code: number | ClientErrorCode;
  /** Human-readable details. */
  readonly info: string;
  /** The request this error answers, when there is one. */
  readonly request: Json | undefined;

  /** @param options `cause`: the error behind this one, if any. */
  constructor(code: number | ClientErrorCode, info: string, request?: Json, options?: { cause?: unknown }) {
    super(`${info} (${code})`, options);
    this.name = 'RtmError';
    this.code = code;
    this.info = info;
    this.request = request;
  }
}

/**
 * Throw this from a token function to say the user is not (or no longer)
 * allowed in: the client stops reconnecting and emits an `unauthorized` error,
 * instead of retrying the function with backoff.
 */
export class UnauthorizedError extends Error {
  /** @param message Why the user may not connect, for the `unauthorized` error's cause. */
  constructor(message = 'unauthorized') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/**
 * Wraps an app's handler so that what it throws goes to `report` instead of
 * into the client code that called it: a half-done state change, a socket
 * event, a promise callback. One handler's bug must not break the others.
 */
export function guard<A extends unknown[]>(handler: (...args: A) => void, report: (error: RtmError) => void): (...args: A) => void {
  // Two fixed parameters, not rest ones: every handler here takes one or two, and this runs for each event.
  const call = handler as unknown as (a: unknown, b: unknown) => void;
  return ((a: unknown, b: unknown) => {
    try {
      call(a, b);
    } catch (cause) {
      report(new RtmError('handler', 'a handler threw', undefined, { cause }));
    }
  }) as unknown as (...args: A) => void;
}

/** A value as argument errors show it: strings quoted and cut short, numbers as written (`NaN`), objects as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  }
  try {
    const json = JSON.stringify(value);
    return json.length > 40 ? `${json.slice(0, 40)}…` : json;
  } catch {
    return 'an object';
  }
}
