/**
 * Counts open connections per key (a client IP, a user's `sub`) and refuses
 * a new one once a key holds `max`. The map holds only keys with open
 * connections, so it is bounded by them.
 */
export class ConnectionCap {
  private readonly open = new Map<string, number>();

  /** `max` 0 turns the cap off. */
  constructor(private readonly max: number) {}

  /** Counts one more connection for `key`; false (and nothing counted) when `key` is at the cap. */
  claim(key: string): boolean {
    if (this.max <= 0) return true;
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return false;
    this.open.set(key, count + 1);
    return true;
  }

  /** Forgets one connection of `key`, claimed before. */
  release(key: string): void {
    if (this.max <= 0) return;
    const count = (this.open.get(key) ?? 0) - 1;
    if (count > 0) this.open.set(key, count);
    else this.open.delete(key);
  }

  /** Open connections of `key`. */
  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}
