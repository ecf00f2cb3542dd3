/**
 * Subscription filters: the grammar, its exact limits, validation,
 * compilation and evaluation. The server and the client import this one
 * module, so an event the server lets through is one the client's own check
 * admits too, and a filter the client accepts is one the server accepts.
 *
 * A filter is an object of dotted paths into the event, each with a value or
 * a list of values. Keys combine with AND, the values of a key with OR.
 * Values are JSON, compared by deep equality (types strict, key order
 * ignored), or operator objects: `$exists`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`.
 * Nothing but data is evaluated: no expressions, no regular expressions.
 * @packageDocumentation
 */
import { eventNameOf, payloadOf } from './channels.js';
import { isObject, type EventData, type Json } from './messages.js';

/** The exact limits of a filter; over any of them, it is refused (RTC error 4 on the server, `bad_argument` in the client). */
export const FILTER_LIMITS = {
  /** Keys (paths) in one filter. */
  keys: 16,
  /** Values listed for one key. */
  values: 64,
  /** Segments of one path, its root included (`payload.a.b` has 3). */
  segments: 8,
  /** Bytes of the filter as JSON (UTF-8). */
  bytes: 4096,
} as const;

/** Operators a filter value may use instead of a plain value; several in one object must all hold. */
export interface FilterOperators {
  /** True: the path is present (any value, null included); false: it is absent. */
  $exists?: boolean;
  /** The path is absent or holds another value (deep JSON inequality). */
  $ne?: Json;
  /** Greater than: numbers with numbers, strings with strings (code-unit order); other types never match. */
  $gt?: number | string;
  /** Greater than or equal (see `$gt`). */
  $gte?: number | string;
  /** Less than (see `$gt`). */
  $lt?: number | string;
  /** Less than or equal (see `$gt`). */
  $lte?: number | string;
}

/** One value of a filter key: a JSON value to equal, or {@link FilterOperators}. */
export type FilterItem = Json | FilterOperators;

/** What one filter key accepts: a value, or a list of values any of which may match (to equal an array, list it: `[[1, 2]]`). */
export type FilterValue = FilterItem | FilterItem[];

/**
 * A subscription filter: dotted paths into the event, each with the value(s)
 * it must equal. Channel events: `eventName`, `payload.…`, `modifier.id`,
 * `action`, `timestamp`. Resource events: `data.…` (matches when any record
 * matches), `modifier.id`, `action`, `timestamp`.
 */
export type Filter = { [path: string]: FilterValue };

/** Paths into `T`, up to `Depth` levels deep; any string when `T` is untyped JSON. */
export type FilterPaths<T, Depth extends unknown[] = []> = Json extends T
  ? string
  : Depth['length'] extends 4
    ? never
    : T extends readonly (infer E)[]
      ? `${number}` | `${number}.${FilterPaths<E, [...Depth, 0]>}`
      : T extends object
        ? { [K in keyof T & string]: K | `${K}.${FilterPaths<T[K], [...Depth, 0]>}` }[keyof T & string]
        : never;

/** A filter of channel events whose payloads are `P`: its payload paths are checked against `P` (when `P` is typed). */
export type ChannelFilter<P = Json> = { [K in 'eventName' | 'modifier.id' | 'action' | 'timestamp' | 'payload' | `payload.${FilterPaths<P>}`]?: FilterValue };

/** A filter validated and compiled once, evaluated for every event. */
export interface CompiledFilter {
  /** The filter in a canonical form: equal filters have equal keys. */
  readonly key: string;
  /** True when `event` matches. */
  test(event: EventData): boolean;
}

const CHANNEL_ROOTS = ['eventName', 'payload', 'modifier', 'action', 'timestamp'];
const RESOURCE_ROOTS = ['data', 'modifier', 'action', 'timestamp'];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];
/** A test of the value at a path; `undefined` means the path is absent (JSON has no undefined, so it cannot be a value). */
type Check = (value: unknown) => boolean;
/** An ordering operator: its check, or false for an operand that is neither a number nor a string. */
const ordered =
  (compare: (a: number | string, b: number | string) => boolean) =>
  (operand: unknown): Check | false =>
    (typeof operand === 'number' || typeof operand === 'string') && ((value) => typeof value === typeof operand && compare(value as number | string, operand));
/**
 * Each operator makes its check from its operand, or returns false when the operand is of a type it cannot use. Names
 * start with `$`, so a lookup here never reaches a property of Object.prototype.
 */
const OPERATORS: Record<string, (operand: unknown) => Check | false> = {
  $exists: (operand) => typeof operand === 'boolean' && ((value) => (value !== undefined) === operand),
  $ne: (operand) => {
    const equal = equals(operand);
    return (value) => !equal(value);
  },
  $gt: ordered((a, b) => a > b),
  $gte: ordered((a, b) => a >= b),
  $lt: ordered((a, b) => a < b),
  $lte: ordered((a, b) => a <= b),
};

/** True when the canonical filter `text` is over the byte limit (UTF-8). */
export const tooBig = (text: string): boolean => new TextEncoder().encode(text).length > FILTER_LIMITS.bytes;

/**
 * JSON text with object keys sorted, so deep equality is string equality. Throws a TypeError for anything JSON cannot
 * hold exactly (undefined, NaN, functions, class instances, holes in arrays), and a RangeError for a cycle.
 */
export function canonical(value: unknown): string {
  // Array.from visits holes too, as undefined: a sparse array is refused rather than read as something else.
  if (Array.isArray(value)) return `[${Array.from(value, canonical).join()}]`;
  if (isPlain(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join()}}`;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value)) return JSON.stringify(value);
  throw new TypeError('not JSON');
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return isObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value));
}

/** A check that `value` deep-equals `expected`. */
function equals(expected: unknown): Check {
  if (typeof expected !== 'object' || expected === null) return (value) => value === expected;
  const text = canonical(expected);
  return (value) => typeof value === 'object' && value !== null && canonical(value) === text;
}

/** Compiles one value of a key, or says what is wrong with it. */
function compileItem(item: unknown): Check | string {
  const names = isObject(item) ? Object.keys(item) : [];
  const operators = names.filter((name) => name[0] === '$').length;
  if (!operators) return equals(item);
  if (operators < names.length) return 'mixes operators and fields';
  const checks: Check[] = [];
  for (const name of names) {
    const check = OPERATORS[name]?.((item as Record<string, unknown>)[name]);
    if (check === undefined) return `unknown operator ${JSON.stringify(name)}`;
    if (!check) return `${name} needs ${name === '$exists' ? 'true or false' : 'a number or a string'}`;
    checks.push(check);
  }
  return (value) => every(checks, value);
}

/** True when every test holds for `value`. Plain loops: this runs per subscriber and event, and closures per call would cost. */
function every<T>(tests: ReadonlyArray<(value: T) => boolean>, value: T): boolean {
  for (const test of tests) if (!test(value)) return false;
  return true;
}

/** Follows `segments` from `value` through own properties and array indexes; undefined when the path is absent. */
function walk(value: unknown, segments: readonly string[]): unknown {
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment) || (Array.isArray(value) && !/^(0|[1-9]\d*)$/.test(segment))) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Validates `filter` and compiles it for events of a channel (`channel`
 * true) or of a resource, in one pass. Returns the compiled filter, or a text
 * naming what is wrong with it (which path, which value, which limit); the
 * texts are listed in docs/filters.md.
 */
export function compileFilter(filter: unknown, channel: boolean): CompiledFilter | string {
  if (!isPlain(filter)) return 'filter must be an object of "path": value(s)';
  let key: string;
  try {
    key = canonical(filter);
  } catch {
    return 'filter must hold only JSON values';
  }
  // Counted on the canonical form, so the limit is the same for the same filter whatever its key order or spacing.
  if (tooBig(key)) return `filter is over ${FILTER_LIMITS.bytes} bytes`;
  const paths = Object.keys(filter);
  if (paths.length > FILTER_LIMITS.keys) return `filter has ${paths.length} keys; at most ${FILTER_LIMITS.keys}`;
  const roots = channel ? CHANNEL_ROOTS : RESOURCE_ROOTS;
  const tests: Array<(event: EventData) => boolean> = [];
  for (const path of paths) {
    const segments = path.split('.');
    const [root, ...rest] = segments as [string, ...string[]];
    const forbidden = segments.find((segment) => FORBIDDEN.includes(segment));
    // A list is any of its values; anything else is one value.
    const items = [filter[path]].flat();
    const checks = items.map(compileItem);
    const problem =
      segments.length > FILTER_LIMITS.segments
        ? `more than ${FILTER_LIMITS.segments} path segments`
        : segments.includes('')
          ? 'empty path segment'
          : forbidden
            ? `"${forbidden}" is not allowed in a path`
            : !roots.includes(root)
              ? `paths start with ${roots.join(', ')}`
              : !items.length || items.length > FILTER_LIMITS.values
                ? `needs 1 to ${FILTER_LIMITS.values} values`
                : checks.find((check) => typeof check === 'string');
    if (problem) return `filter ${JSON.stringify(path.slice(0, 100))}: ${problem}`;
    const holds = (from: unknown): boolean => {
      const found = walk(from, rest);
      for (const check of checks as Check[]) if (check(found)) return true;
      return false;
    };
    tests.push(
      root === 'data'
        ? // Resource events carry a list of records: a key matches when any record does.
          (event) => [event.data].flat().some(holds)
        : root === 'eventName'
          ? (event) => holds(eventNameOf(event.data))
          : root === 'payload'
            ? (event) => holds(payloadOf(event.data))
            : (event) => holds(event[root as 'modifier' | 'action' | 'timestamp']),
    );
  }
  return { key, test: (event) => every(tests, event) };
}
