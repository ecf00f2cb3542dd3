import type { Filter, FilterItem } from '../client/index.js';
import { MESSAGE_KEYS } from './parse.js';

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
    const parts = path.split('.').filter(Boolean);
    if (!MESSAGE_KEYS.includes(parts[0]!)) parts.unshift('payload');
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

/** The JSON values whose text (as the Listener compares) is that of `value`. */
function sameText(value: unknown): FilterItem[] {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const items: FilterItem[] = [text];
  if (text === '') items.push(null, { $exists: false });
  else if (text === 'true' || text === 'false') items.push(text === 'true');
  else if (Number.isFinite(Number(text)) && String(Number(text)) === text) items.push(Number(text));
  else if (/^[[{]/.test(text)) {
    try {
      items.push(JSON.parse(text) as FilterItem);
    } catch {
      // Not JSON: only the string can have this text.
    }
  }
  return items;
}
