import type { Json } from '../client/index.js';
import { isObject as isPlainObject } from '../protocol/index.js';

/**
 * The text forms of widget settings, shared by the HTML attributes and the
 * APEX attributes so that both parse into the same config as the JS form.
 */

/** Splits a list such as `"a, b c"` (or passes an array through); empty for nothing. */
export function list(value: string | readonly string[] | null | undefined): string[] {
  return typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : [...(value ?? [])];
}

/**
 * Reads a map such as `P10_MESSAGE=payload.value; P10_FROM=modifier` (one
 * pair per line, `;` or `,`), or takes an object as it is.
 */
export function pairs(value: string | Readonly<Record<string, unknown>> | null | undefined): Array<[string, string]> {
  if (!value) return [];
  if (typeof value !== 'string') return Object.entries(value).map(([key, path]) => [key, String(path)]);
  const result: Array<[string, string]> = [];
  for (const part of value.split(/[\n;,]/)) {
    const at = part.indexOf('=');
    if (at > 0) result.push([part.slice(0, at).trim(), part.slice(at + 1).trim()]);
  }
  return result;
}

/** True when `eventName` matches one of the patterns: exact, a prefix such as `order.*`, or `*`. No patterns match everything. */
export function matchesEvent(patterns: readonly string[], eventName: string | null): boolean {
  return (
    !patterns.length ||
    patterns.some((p) => p === '*' || p === eventName || (p.endsWith('.*') && !!eventName?.startsWith(p.slice(0, -1))))
  );
}

/** A dotted path's parts from the message: one not starting with a key of the message starts at its payload. */
export function pathOf(path: string): string[] {
  const parts = path.split('.').filter(Boolean);
  if (!['channel', 'eventName', 'payload', 'modifier', 'timestamp'].includes(parts[0]!)) parts.unshift('payload');
  return parts;
}

/**
 * Picks a value out of a received message by a dotted path: `payload.value`,
 * `eventName`, `modifier`… A path that does not start with one of the
 * message's own keys is read from the payload, so `value` means `payload.value`.
 * Only own properties are followed, so a path can never reach prototypes.
 */
export function pick(message: object, path: string): unknown {
  let current: unknown = message;
  for (const part of pathOf(path)) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A value as text: strings as they are, objects as JSON, nothing as ''. */
export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Fills `{path}` placeholders of a template from a message, e.g. `New order {payload.id}`. */
export function template(text: string, message: object): string {
  return text.replace(/\{([\w.]+)\}/g, (_, path: string) => toText(pick(message, path)));
}

/** True for a JSON object (not an array or null): the protocol's check, typed for the payloads the widgets build. */
export const isRecord = isPlainObject as (value: unknown) => value is Record<string, Json>;

/** True for an object or an array (not null). */
export const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;
