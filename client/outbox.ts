/**
 * A bounded first-in first-out queue of what waits for the connection. It
 * never drops: `add` returns false when full, so the caller can reject loudly.
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
