import { canonical, FILTER_LIMITS, tooBig, type Filter, type FilterItem } from './filter.js';

/**
 * The one filter to ask the server for so that every listener gets its
 * events: the keys all filters have, each with the union of their values.
 * That is exactly their OR when they differ in one key only, and otherwise
 * the loosest filter the grammar offers that still admits them all; each
 * listener's own filter then narrows locally. Undefined (no filter) when a
 * listener has none, when no key is shared, or when the union outgrows the limits.
 */
export function mergeFilters(filters: ReadonlyArray<Filter | undefined>): Filter | undefined {
  if (!filters.length || filters.some((filter) => !filter)) return undefined;
  const merged: Filter = {};
  for (const path of Object.keys(filters[0]!)) {
    if (!filters.every((filter) => Object.hasOwn(filter!, path))) continue;
    const items = new Map<string, FilterItem>();
    for (const filter of filters) for (const item of [filter![path]].flat(1)) items.set(canonical(item), item!);
    // A key with too many values is left out: the filter gets looser, never wrong.
    if (items.size <= FILTER_LIMITS.values) merged[path] = [...items.values()];
  }
  return !Object.keys(merged).length || tooBig(canonical(merged)) ? undefined : merged;
}
