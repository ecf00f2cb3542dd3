import { RtmError, shown } from './errors.js';
import { redact } from './log.js';
import { isObject, type Json } from '../protocol/index.js';

/** True for a number of ms a timer can wait: NaN, 0, negatives and strings would fire at once. */
export const positive = (value: unknown): value is number => typeof value === 'number' && value > 0;

/**
 * Throws `bad_argument` naming the argument, what it must be and the value received (tokens redacted: a URL may
 * carry one). Inside a promise's executor the throw rejects the promise.
 */
export function bad(name: string, wanted: string, value: unknown): never {
  throw new RtmError('bad_argument', `${name} must be ${wanted} (got ${redact(shown(value))})`);
}

/** Edit distance between two names, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * Throws `bad_argument` when `value` is not an object, or has a key not in `known`, naming the closest
 * known key: a misspelt option would otherwise be ignored without a word.
 */
export function checkKeys(value: unknown, known: readonly string[], what: string): void {
  if (!isObject(value)) bad(what, 'an object', value);
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = known.find((name) => distance(key.toLowerCase(), name.toLowerCase()) <= Math.max(1, name.length / 3));
    throw new RtmError('bad_argument', `unknown ${what} "${key}"${near ? ` (did you mean "${near}"?)` : `; known: ${known.join(', ')}`}`);
  }
}

/** Throws `bad_argument` naming `name` and the value unless `value` is a number of ms > 0. */
export function checkMs(name: string, value: unknown): void {
  if (!positive(value)) bad(name, 'a number of ms > 0', value);
}

/** The part of `AbortSignal` used here, so the client needs no DOM types. */
export interface AbortSignalLike {
  /** True once aborted: the call is refused at once. */
  readonly aborted: boolean;
  /** Why it was aborted; becomes the `aborted` error's `cause`. */
  readonly reason?: unknown;
  /** Adds the listener that rejects the call on abort. */
  addEventListener(type: 'abort', listener: () => void): void;
  /** Removes it once the call settles, so a long-lived signal does not collect listeners. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Options of a call that waits: how long, and a signal to give up. */
export interface WaitOptions {
  timeout?: number;
  signal?: AbortSignalLike;
}

/**
 * Wires a call's `signal`: throws `aborted` (rejecting the call) if it already fired, else calls `fail` with `aborted`
 * when it fires. Returns the function that removes the listener, so a long-lived signal does not collect them.
 * @param what The call, as the error names it.
 */
export function whenAborted(signal: AbortSignalLike | undefined, what: string, request: Json | undefined, fail: (error: RtmError) => void): () => void {
  const aborted = (): RtmError => new RtmError('aborted', `${what} was aborted`, request, { cause: signal!.reason });
  if (signal?.aborted) throw aborted();
  const listener = (): void => fail(aborted());
  signal?.addEventListener('abort', listener);
  return () => signal?.removeEventListener('abort', listener);
}

/** Checks the options of a call that waits (`known` its option names); throws `bad_argument` naming the one at fault. */
export function checkWait(options: unknown, known: readonly string[], what: string): asserts options is WaitOptions {
  checkKeys(options, known, what);
  const { timeout, signal } = options as WaitOptions;
  if (timeout !== undefined) checkMs('timeout', timeout);
  if (signal !== undefined && typeof signal?.addEventListener !== 'function') bad('signal', 'an AbortSignal', signal);
}
