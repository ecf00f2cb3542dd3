import { randomBytes } from 'node:crypto';
import type { EventData, RecoveryFailure, ResourceRef, StreamPosition } from '../../protocol/index.js';
import { eventBody, eventFrame, type StoredEvent } from './event-frame.js';

/** How much history one stream keeps: at most `size` events, none older than `ttl` seconds. */
export interface Retention {
  /** Most events the stream keeps; older ones go first. */
  size: number;
  /** Seconds an event is kept. */
  ttl: number;
}

/** What a subscribe with `since` can be given: every missed event, in order, or the reason it cannot. */
export type Recovery =
  | {
      /** Every missed event is in `events`. */
      recovered: true;
      /** The stream's position now. */
      position: StreamPosition;
      /** The missed events, oldest first. */
      events: StoredEvent[];
    }
  | {
      /** Some missed events are gone: the subscriber must reload what it shows. */
      recovered: false;
      /** The stream's position now, from which the subscriber goes on. */
      position: StreamPosition;
      /** Why: `epoch` (the history was lost, or the position is ahead of the stream) or `expired` (events left history). */
      reason: RecoveryFailure;
      /** The same in words, for the client. */
      info: string;
    };

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
  /** Most bytes all streams together may hold; the heaviest publisher's oldest events go first. */
  maxBytes: number;
  /** The clock, in ms since the epoch (`Date.now` outside tests). */
  now: () => number;
}

/** Rough cost of a stream's bookkeeping and of one stored event besides its frame, so the budget bounds real memory. */
const STREAM_COST = 256;
const EVENT_COST = 64;

/** Why events left a stream, so a failed recovery can say which limit removed them. */
type Loss = 'size' | 'ttl' | 'memory';

interface Entry extends StoredEvent {
  time: number;
  cost: number;
  stream: Stream;
  publisher: Publisher;
}

interface Stream {
  key: string;
  epoch: string;
  top: number;
  retention: Retention;
  entries: Entry[];
  /** The last few runs of lost offsets: offsets up to `upTo` (after the previous run) were removed for `loss`. */
  losses: Array<{ upTo: number; loss: Loss }>;
}

/** One publisher's share of the budget: its bytes, and its entries oldest first. */
interface Publisher {
  id: string;
  bytes: number;
  entries: Set<Entry>;
}

/** Runs of lost offsets a stream remembers for its `expired` info. */
const LOSS_RUNS = 4;

/**
 * History in this process's memory. Its epochs are random, so a restart
 * starts every stream in a new epoch and clients learn that what they missed
 * is gone. Everything is bounded by `maxBytes`, fairly: when over, the
 * publisher (a token's `sub`, an API key) holding the most bytes loses its
 * oldest event first (with whatever is older in that stream, since a stream's
 * history has no gaps), so one user flooding junk channels evicts their own
 * history before anyone else's. Then whole idle streams go (their next event
 * starts a new epoch). Expired events are dropped as streams are used, so an
 * idle server frees memory lazily, never beyond the budget.
 */
export class MemoryHistory implements HistoryStore {
  /** Every stream, least recently used first. */
  private readonly streams = new Map<string, Stream>();
  /** Streams holding events, least recently appended first. */
  private readonly filled = new Set<Stream>();
  /** Publishers with events held. */
  private readonly publishers = new Map<string, Publisher>();
  private bytes = 0;
  /** The stream last moved to the end of {@link streams}, and of {@link filled}. */
  private lastUsed: Stream | undefined;
  private lastFilled: Stream | undefined;

  constructor(private readonly options: MemoryHistoryOptions) {}

  /** Bytes held, by the same measure as `maxBytes`. */
  get size(): number {
    return this.bytes;
  }

  append(event: EventData): Promise<StoredEvent> {
    const stream = this.stream(event.resource);
    stream.top += 1;
    const frame = eventFrame(eventBody(event), { offset: stream.top, epoch: stream.epoch });
    const publisherId = event.modifier?.id ?? '';
    let publisher = this.publishers.get(publisherId);
    if (!publisher) {
      publisher = { id: publisherId, bytes: 0, entries: new Set() };
      this.publishers.set(publisherId, publisher);
    }
    const entry: Entry = { offset: stream.top, epoch: stream.epoch, action: event.action, frame, time: this.options.now(), cost: frame.length + EVENT_COST, stream, publisher };
    if (stream.retention.size > 0 && stream.retention.ttl > 0) {
      stream.entries.push(entry);
      publisher.entries.add(entry);
      publisher.bytes += entry.cost;
      this.bytes += entry.cost;
      this.markFilled(stream);
    } else if (publisher.entries.size === 0) this.publishers.delete(publisherId);
    this.expire(stream);
    // Sweep a little on every append: the least recently appended streams are the likeliest to hold only expired events.
    // (Deleting from a Set while iterating it is well defined: an expired stream leaves it without upsetting the loop.)
    let swept = 0;
    for (const idle of this.filled) {
      if (swept++ === 2) break;
      if (idle !== stream) this.expire(idle);
    }
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
    if (since.offset + 1 < first) return fail('expired', `${first - since.offset - 1} missed event(s) are no longer in history: ${this.lossText(stream, since.offset + 1)}`);
    return Promise.resolve({ recovered: true, position, events: stream.entries.slice(since.offset + 1 - first).map(({ offset, epoch, action, frame }) => ({ offset, epoch, action, frame })) });
  }

  /** Names the limits that removed the events from offset `from` on. */
  private lossText(stream: Stream, from: number): string {
    const { size, ttl } = stream.retention;
    const texts: Record<Loss, string> = {
      size: `the stream keeps its last ${size}`,
      ttl: `events are kept ${ttl} s`,
      memory: 'the history memory budget (--history-memory) evicted them, the heaviest publishers first',
    };
    const losses = new Set(stream.losses.filter((run) => run.upTo >= from).map((run) => run.loss));
    if (losses.size === 0) return `it keeps the last ${size} for ${ttl} s`;
    return [...losses].map((loss) => texts[loss]).join('; ');
  }

  private stream(resource: ResourceRef): Stream {
    const key = `${resource.type}\u0000${resource.name}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { key, epoch: randomBytes(6).toString('base64url'), top: 0, retention: this.options.retention(resource), entries: [], losses: [] };
      this.bytes += STREAM_COST;
      this.streams.set(key, stream);
      this.lastUsed = stream;
    } else if (stream !== this.lastUsed) {
      // Moved to the end (most recently used) only when it is not there yet: a busy stream re-inserted on every
      // append would leave a deleted slot in the map each time, for the map to skip and rehash.
      this.streams.delete(key);
      this.streams.set(key, stream);
      this.lastUsed = stream;
    }
    this.fit(stream);
    return stream;
  }

  /** Makes `stream` the most recently appended of the streams holding events (see {@link stream} for why only when it is not already). */
  private markFilled(stream: Stream): void {
    if (stream === this.lastFilled && this.filled.has(stream)) return;
    this.filled.delete(stream);
    this.filled.add(stream);
    this.lastFilled = stream;
  }

  private expire(stream: Stream): void {
    const { size, ttl } = stream.retention;
    const oldest = this.options.now() - ttl * 1000;
    while (stream.entries.length > 0 && (stream.entries.length > size || stream.entries[0]!.time <= oldest)) {
      this.dropOldest(stream, stream.entries.length > size ? 'size' : 'ttl');
    }
  }

  private dropOldest(stream: Stream, loss: Loss): void {
    const entry = stream.entries.shift()!;
    this.bytes -= entry.cost;
    entry.publisher.bytes -= entry.cost;
    entry.publisher.entries.delete(entry);
    if (entry.publisher.entries.size === 0) this.publishers.delete(entry.publisher.id);
    if (stream.entries.length === 0) this.filled.delete(stream);
    const last = stream.losses.at(-1);
    if (last?.loss === loss) last.upTo = entry.offset;
    else {
      stream.losses.push({ upTo: entry.offset, loss });
      if (stream.losses.length > LOSS_RUNS) stream.losses.shift();
    }
  }

  /** The publisher holding the most bytes. */
  private heaviest(): Publisher | undefined {
    let heaviest: Publisher | undefined;
    for (const publisher of this.publishers.values()) if (!heaviest || publisher.bytes > heaviest.bytes) heaviest = publisher;
    return heaviest;
  }

  /** Brings the total under budget; `keep` (the stream in use) loses events but is never dropped. */
  private fit(keep: Stream): void {
    while (this.bytes > this.options.maxBytes) {
      const victim = this.heaviest()?.entries.values().next().value;
      if (victim) {
        // A stream's history has no gaps: the victim goes with whatever is older in its stream.
        while (victim.stream.entries[0] !== victim) this.dropOldest(victim.stream, 'memory');
        this.dropOldest(victim.stream, 'memory');
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
