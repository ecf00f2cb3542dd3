/** A bounded first-in first-out queue of what waits for the connection (see {@link createOutbox}). */
export interface Outbox<T> {
  /** Number of items waiting. */
  size(): number;
  /** Appends `item`; returns false (and keeps nothing) when the queue is full. */
  add(item: T): boolean;
  /** Puts `items` back at the front, in order, even beyond the limit: they were already admitted once (e.g. sent on a link that dropped). */
  requeue(items: readonly T[]): void;
  /** Removes `item` if it is waiting (for example when its caller gave up). */
  remove(item: T): void;
  /** Takes every item, oldest first, leaving the queue empty. */
  drain(): T[];
}

/**
 * A bounded first-in first-out queue of what waits for the connection. It
 * never drops: `add` returns false when full, so the caller can reject loudly.
 * The limit bounds new items; items taken out and handed back with `requeue`
 * were admitted already and always fit.
 * @param limit Most items held; 0 accepts none.
 */
export function createOutbox<T>(limit: number): Outbox<T> {
  let items: T[] = [];
  return {
    size: () => items.length,
    add: (item) => items.length < limit && items.push(item) > 0,
    // concat, not unshift(...again): a spread of many thousand items could overflow the call stack.
    requeue: (again) => void (items = again.concat(items)),
    remove(item) {
      const index = items.indexOf(item);
      if (index >= 0) items.splice(index, 1);
    },
    drain() {
      const taken = items;
      items = [];
      return taken;
    },
  };
}
