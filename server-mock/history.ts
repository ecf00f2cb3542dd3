import { randomBytes } from 'node:crypto';
import type { EventData, RecoveryFailure, ResourceRef, StreamPosition } from '../client/protocol.js';

/** How much history one stream keeps: at most `size` events, none older than `ttl` seconds. */
export interface Retention {
  size: number;
  ttl: number;
}

/** An event as history holds it: its offset and epoch, its action, and the serialized `event` frame that carries it. */
export interface StoredEvent {
  offset: number;
  epoch: string;
  action: string;
  frame: string;
}

/** What a subscribe with `since` can be given: every missed event, in order, or the reason it cannot. */
export type Recovery =
  | { recovered: true; position: StreamPosition; events: StoredEvent[] }
  | { recovered: false; position: StreamPosition; reason: RecoveryFailure; info: string };

/**
 * Per-stream offsets and bounded history: one stream per channel and per
 * resource. Asynchronous so that a shared store (Redis Streams) can take the
 * place of the in-memory one.
 *
 * Contract: appends to one stream resolve in the order of their offsets, so
 * callers that fan out as soon as `append` resolves deliver in offset order.
 */
export interface HistoryStore {
  /** Gives `event` its stream's next offset and the epoch, keeps it, and resolves with it serialized as an `event` frame. */
  append(event: EventData): Promise<StoredEvent>;
  /** Where the stream of `resource` stands now (offset 0 in a fresh epoch for a stream never seen). */
  position(resource: ResourceRef): Promise<StreamPosition>;
  /** The events after `since`, oldest first, or why they cannot all be given. */
  since(resource: ResourceRef, since: StreamPosition): Promise<Recovery>;
}

/** Settings of {@link MemoryHistory}. */
export interface MemoryHistoryOptions {
  /** The retention of a stream, decided once when the stream is created. */
  retention: (resource: ResourceRef) => Retention;
  /** Most bytes all streams together may hold; the least recently published streams lose their oldest events first. */
  maxBytes: number;
  now: () => number;
}

/** Rough cost of a stream's bookkeeping and of one stored event besides its frame, so the budget bounds real memory. */
const STREAM_COST = 256;
const EVENT_COST = 64;

interface Entry extends StoredEvent {
  time: number;
  cost: number;
}

interface Stream {
  key: string;
  epoch: string;
  top: number;
  retention: Retention;
  entries: Entry[];
}

/**
 * History in this process's memory. Its epochs are random, so a restart
 * starts every stream in a new epoch and clients learn that what they missed
 * is gone. Everything is bounded by `maxBytes`: when over, the oldest events
 * of the least recently published streams go first, then whole idle streams
 * (whose next event then starts a new epoch). Expired events are dropped as
 * streams are used, so an idle server frees memory lazily, never beyond the budget.
 */
export class MemoryHistory implements HistoryStore {
  /** Every stream, least recently used first. */
  private readonly streams = new Map<string, Stream>();
  /** Streams holding events, least recently appended first. */
  private readonly filled = new Set<Stream>();
  private bytes = 0;

  constructor(private readonly options: MemoryHistoryOptions) {}

  /** Bytes held, by the same measure as `maxBytes`. */
  get size(): number {
    return this.bytes;
  }

  append(event: EventData): Promise<StoredEvent> {
    const stream = this.stream(event.resource);
    stream.top += 1;
    const frame = JSON.stringify({ type: 'event', data: { ...event, offset: stream.top, epoch: stream.epoch } });
    const entry: Entry = { offset: stream.top, epoch: stream.epoch, action: event.action, frame, time: this.options.now(), cost: frame.length + EVENT_COST };
    if (stream.retention.size > 0 && stream.retention.ttl > 0) {
      stream.entries.push(entry);
      this.bytes += entry.cost;
      this.filled.delete(stream);
      this.filled.add(stream);
    }
    this.expire(stream);
    // Sweep a little on every append: the least recently appended streams are the likeliest to hold only expired events.
    for (const idle of [...this.first(this.filled, 2)]) if (idle !== stream) this.expire(idle);
    this.fit(stream);
    return Promise.resolve({ offset: entry.offset, epoch: entry.epoch, action: entry.action, frame });
  }

  position(resource: ResourceRef): Promise<StreamPosition> {
    const stream = this.stream(resource);
    return Promise.resolve({ epoch: stream.epoch, offset: stream.top });
  }

  since(resource: ResourceRef, since: StreamPosition): Promise<Recovery> {
    const stream = this.stream(resource);
    this.expire(stream);
    const position = { epoch: stream.epoch, offset: stream.top };
    const fail = (reason: 'epoch' | 'expired', info: string): Promise<Recovery> => Promise.resolve({ recovered: false, position, reason, info });
    if (since.epoch !== stream.epoch) return fail('epoch', `the stream's history was lost (a restart, or an idle stream dropped); epoch ${JSON.stringify(since.epoch.slice(0, 40))} is over`);
    if (since.offset > stream.top) return fail('epoch', `offset ${since.offset} is ahead of the stream (at ${stream.top})`);
    const first = stream.entries[0]?.offset ?? stream.top + 1;
    if (since.offset + 1 < first) {
      const { size, ttl } = stream.retention;
      return fail('expired', `${first - since.offset - 1} missed event(s) are no longer in history (it keeps the last ${size} for ${ttl} s)`);
    }
    return Promise.resolve({ recovered: true, position, events: stream.entries.slice(since.offset + 1 - first).map(({ offset, epoch, action, frame }) => ({ offset, epoch, action, frame })) });
  }

  private stream(resource: ResourceRef): Stream {
    const key = `${resource.type}\u0000${resource.name}`;
    let stream = this.streams.get(key);
    if (stream) this.streams.delete(key);
    else {
      stream = { key, epoch: randomBytes(6).toString('base64url'), top: 0, retention: this.options.retention(resource), entries: [] };
      this.bytes += STREAM_COST;
    }
    this.streams.set(key, stream);
    this.fit(stream);
    return stream;
  }

  private expire(stream: Stream): void {
    const { size, ttl } = stream.retention;
    const oldest = this.options.now() - ttl * 1000;
    while (stream.entries.length > 0 && (stream.entries.length > size || stream.entries[0]!.time <= oldest)) this.dropOldest(stream);
  }

  private dropOldest(stream: Stream): void {
    this.bytes -= stream.entries.shift()!.cost;
    if (stream.entries.length === 0) this.filled.delete(stream);
  }

  /** Brings the total under budget; `keep` (the stream in use) loses events but is never dropped. */
  private fit(keep: Stream): void {
    while (this.bytes > this.options.maxBytes) {
      const [oldest] = this.first(this.filled, 1);
      if (oldest) {
        this.dropOldest(oldest);
        continue;
      }
      const [idle] = this.first(this.streams.values(), 1);
      if (!idle || idle === keep) return;
      this.streams.delete(idle.key);
      this.bytes -= STREAM_COST;
    }
  }

  private *first<T>(items: Iterable<T>, count: number): Generator<T> {
    if (count <= 0) return;
    for (const item of items) {
      yield item;
      if (--count === 0) return;
    }
  }
}
