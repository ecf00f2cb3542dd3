import type { Filter, FilterItem } from '../client/index.js';
import { pathOf, toText } from './parse.js';

/**
 * The server-side filter for a Listener's `where` pairs (and exact event
 * names), so that only messages it may act on cross the wire. `where`
 * compares as text (`status=7` matches 7 and "7"), so each value becomes
 * the JSON values with that text. Pairs the server cannot express (the
 * `channel` key, payload fields of resource events, whose payload is a list
 * of records) stay client-side only; the Listener checks every pair locally
 * anyway. Undefined when nothing can be sent.
 */
export function whereFilter(where: ReadonlyArray<readonly [string, unknown]>, events: readonly string[], resource: boolean): Filter | undefined {
  const filter: Filter = {};
  for (const [path, value] of where) {
    const parts = pathOf(path);
    const [root] = parts;
    if (root === 'channel' || (resource && root === 'payload')) continue;
    const key = root === 'modifier' ? 'modifier.id' : resource && root === 'eventName' ? 'action' : parts.join('.');
    // Two pairs on one path must both hold: only one can be sent, the other is checked locally.
    filter[key] ??= sameText(value);
  }
  if (!Object.keys(filter).length) return undefined;
  if (events.length && !events.some((event) => event === '*' || event.endsWith('.*'))) filter[resource ? 'action' : 'eventName'] ??= [...events];
  return filter;
}

/** The JSON values whose text (as the Listener compares) is that of `value`: the string, and the JSON value it spells. */
function sameText(value: unknown): FilterItem[] {
  const text = toText(value);
  const items: FilterItem[] = [text];
  if (!text) items.push(null, { $exists: false });
  try {
    // Only a value written as its own text: `7` and `true`, not `07`, `1e3` or a quoted string.
    const json = JSON.parse(text) as FilterItem;
    if (toText(json) === text) items.push(json);
  } catch {
    // Not JSON: only the string can have this text.
  }
  return items;
}
