/**
 * A bounded first-in first-out queue of what waits for the connection. It
 * never drops: `add` returns false when full, so the caller can reject loudly.
 * The limit bounds new items; items taken out and handed back with `requeue`
 * were admitted already and always fit.
 */
export class Outbox<T> {
  private items: T[] = [];

  /** @param limit Most items held; 0 accepts none. */
  constructor(private readonly limit: number) {}

  /** Number of items waiting. */
  get size(): number {
    return this.items.length;
  }

  /** Appends `item`; returns false (and keeps nothing) when the queue is full. */
  add(item: T): boolean {
    if (this.items.length >= this.limit) return false;
    this.items.push(item);
    return true;
  }

  /** Puts `items` back at the front, in order, even beyond the limit: they were already admitted once (e.g. sent on a link that dropped). */
  requeue(items: readonly T[]): void {
    if (items.length > 0) this.items = [...items, ...this.items];
  }

  /** Removes `item` if it is waiting (for example when its caller gave up). */
  remove(item: T): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }

  /** Takes every item, oldest first, leaving the queue empty. */
  drain(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
