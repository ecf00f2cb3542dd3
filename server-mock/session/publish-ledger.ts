import * as crypto from 'node:crypto';
import type { Json } from '../../protocol/index.js';

/** The answer to a publish, and whether it was a repeat answered from memory. */
export interface LedgerAnswer {
  /** The response the first publish got; a repeat is answered with the same. */
  response: Json;
  /** True when the publish was a repeat, answered from memory and not published again. */
  repeated: boolean;
}

/**
 * Remembers accepted publishes by their sender and correlation ID for a
 * while, so a publish re-sent after a lost acknowledgement is answered
 * again without being published twice. Asynchronous so that a shared store
 * (Redis `SET NX` with a TTL) can take the place of the in-memory one.
 */
export interface PublishLedger {
  /**
   * Runs `publish` unless `owner` had a publish with correlation `id` and the
   * same `fingerprint` (its channel and data) accepted within the window; then
   * resolves with that publish's response instead. A publish that fails is
   * not remembered, so it may be tried again.
   */
  once(owner: string, id: Json, fingerprint: string, publish: () => Promise<Json>): Promise<LedgerAnswer>;
}

/** A fingerprint of a publish's content: a repeat must carry the same channel and data, else it is a new publish that reused an ID. */
export function fingerprint(channel: string, data: Json): string {
  return sha256(JSON.stringify([channel, data]));
}

/** The one-shot `crypto.hash` (Node 20.12+) where there is one: it runs on every publish, and skips a Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'base64url') : crypto.createHash('sha256').update(text).digest('base64url');
}

interface Remembered {
  key: string;
  expires: number;
  fingerprint: string;
  response: Promise<Json>;
  owner: string;
}

/** Settings of {@link MemoryLedger}. */
export interface MemoryLedgerOptions {
  /** How long an accepted publish is remembered, in ms. */
  window: number;
  /** Most publishes remembered at once; beyond, the oldest of the owner with the most are forgotten first. */
  maxEntries: number;
  /** The clock, in ms since the epoch (`Date.now` outside tests). */
  now: () => number;
}

/** Keys longer than this are hashed, so a huge correlation ID costs no more than a short one. */
const MAX_KEY_LENGTH = 200;

/**
 * The ledger in this process's memory: one record per remembered publish, oldest first, bounded in time and
 * count. The count is shared fairly: when full, the owner with the most records forgets its oldest, so one
 * user's thousand unique publishes cannot make another user's honest re-send publish twice.
 */
export class MemoryLedger implements PublishLedger {
  private readonly records = new Map<string, Remembered>();
  /** How many records each owner has. */
  private readonly owners = new Map<string, number>();
  /**
   * Every record in the order it was made, from `head` on; a record forgotten early (fairness, a failed publish, a
   * new publish under its key) stays until its turn and is skipped. Expiry and fairness read it rather than
   * iterating a Map or Set from its start: one whose oldest keys are deleted one by one keeps their slots until it
   * rehashes, and every iteration from the start would step over all of them (tens of thousands once full).
   */
  private queue: Array<Remembered | undefined> = [];
  private head = 0;

  constructor(private readonly options: MemoryLedgerOptions) {}

  /** Publishes remembered now. */
  get size(): number {
    return this.records.size;
  }

  /** Records the expiry order holds, live or forgotten early: at most about twice {@link size} (for tests). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  async once(owner: string, id: Json, print: string, publish: () => Promise<Json>): Promise<LedgerAnswer> {
    const now = this.options.now();
    this.expire(now);
    let key = `${owner}\u0000${JSON.stringify(id)}`;
    if (key.length > MAX_KEY_LENGTH) key = sha256(key);
    const known = this.records.get(key);
    if (known?.fingerprint === print) return { response: await known.response, repeated: true };
    this.forget(key);
    const record: Remembered = { key, expires: now + this.options.window, fingerprint: print, response: publish(), owner };
    this.records.set(key, record);
    this.queue.push(record);
    this.owners.set(owner, (this.owners.get(owner) ?? 0) + 1);
    while (this.records.size > this.options.maxEntries) {
      let heaviest = owner;
      let most = 0;
      for (const [candidate, count] of this.owners) {
        if (count > most) {
          heaviest = candidate;
          most = count;
        }
      }
      this.forget(this.oldestOf(heaviest)!.key);
    }
    try {
      return { response: await record.response, repeated: false };
    } catch (error) {
      if (this.records.get(key) === record) this.forget(key);
      throw error;
    }
  }

  /** Forgets what expired: every record lives equally long, so the oldest are the first to go. */
  private expire(now: number): void {
    const queue = this.queue;
    while (this.head < queue.length) {
      const record = queue[this.head]!;
      if (this.records.get(record.key) === record) {
        if (record.expires > now) break;
        this.forget(record.key);
      }
      queue[this.head++] = undefined;
    }
    // Records forgotten early can pile up behind a live one: once they and the consumed front are more than half the
    // array, it is rebuilt from the live records alone, so it stays within twice the records held (amortized O(1)).
    if (queue.length > 64 && queue.length > 2 * this.records.size) {
      this.queue = queue.filter((record) => record !== undefined && this.records.get(record.key) === record);
      this.head = 0;
    }
  }

  /** The oldest record `owner` holds (the heaviest owner's are mostly at the front). */
  private oldestOf(owner: string): Remembered | undefined {
    for (let at = this.head; at < this.queue.length; at++) {
      const record = this.queue[at];
      if (record?.owner === owner && this.records.get(record.key) === record) return record;
    }
    return undefined;
  }

  private forget(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    this.records.delete(key);
    const count = this.owners.get(record.owner)! - 1;
    if (count === 0) this.owners.delete(record.owner);
    else this.owners.set(record.owner, count);
  }
}
