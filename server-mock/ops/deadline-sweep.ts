import type { Clock } from './clock.js';

/** One armed deadline: fires `owner.fire(kind)` at `at` unless removed first. */
export interface Deadline<K> {
  readonly at: number;
  readonly owner: { fire(kind: K): void };
  readonly kind: K;
  /** Position in the sweep's heap; -1 once fired or removed. */
  index: number;
}

/**
 * Every deadline of a clock in one min-heap behind a single timer, armed for the earliest.
 * Per connection a deadline is one small record instead of a platform timer and its closures,
 * which is what thousands of idle connections each holding two token timers cost most.
 * Removal takes the record out of the heap, so nothing outlives the connection that armed it.
 */
export class DeadlineSweep {
  private readonly heap: Array<Deadline<never>> = [];
  private cancelTimer: (() => void) | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Arms `owner.fire(kind)` for `ms` milliseconds from now. */
  add<K>(ms: number, owner: { fire(kind: K): void }, kind: K): Deadline<K> {
    const deadline: Deadline<K> = { at: this.clock.now() + Math.max(0, ms), owner, kind, index: this.heap.length };
    this.heap.push(deadline as Deadline<never>);
    this.up(deadline.index);
    this.rearm();
    return deadline;
  }

  /** Disarms a deadline; one that already fired or was removed is left alone. */
  remove(deadline: Deadline<unknown>): void {
    const at = deadline.index;
    if (at < 0 || this.heap[at] !== deadline) return;
    deadline.index = -1;
    const last = this.heap.pop() as Deadline<never>;
    if (at < this.heap.length) {
      this.heap[at] = last;
      last.index = at;
      this.down(at);
      this.up(last.index);
    }
    this.rearm();
  }

  /** Armed deadlines, for tests and leak checks. */
  get size(): number {
    return this.heap.length;
  }

  private run(): void {
    this.cancelTimer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    // Each deadline is taken out before it fires, so an owner may re-arm or remove others from inside fire().
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const first = this.heap[0];
      this.remove(first);
      first.owner.fire(first.kind);
    }
    this.rearm();
  }

  private rearm(): void {
    const first = this.heap[0];
    if (!first) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.armedAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (first.at === this.armedAt && this.cancelTimer) return;
    this.cancelTimer?.();
    this.armedAt = first.at;
    this.cancelTimer = this.clock.after(first.at - this.clock.now(), () => this.run());
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= heap[i].at) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left].at < heap[least].at) least = left;
      if (right < heap.length && heap[right].at < heap[least].at) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    [heap[a], heap[b]] = [heap[b], heap[a]];
    heap[a].index = a;
    heap[b].index = b;
  }
}

const sweeps = new WeakMap<Clock, DeadlineSweep>();

/** The one sweep of `clock`: every connection of a server (and of each test's clock) shares it. */
export function sweepOf(clock: Clock): DeadlineSweep {
  let sweep = sweeps.get(clock);
  if (!sweep) sweeps.set(clock, (sweep = new DeadlineSweep(clock)));
  return sweep;
}
