import { createHash } from 'node:crypto';
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
  return createHash('sha256').update(JSON.stringify([channel, data])).digest('base64url');
}

interface Remembered {
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
  /** Each owner's keys, oldest first. */
  private readonly owners = new Map<string, Set<string>>();

  constructor(private readonly options: MemoryLedgerOptions) {}

  /** Publishes remembered now. */
  get size(): number {
    return this.records.size;
  }

  async once(owner: string, id: Json, print: string, publish: () => Promise<Json>): Promise<LedgerAnswer> {
    const now = this.options.now();
    // Every record lives equally long, so the first (oldest) ones are the first to expire.
    for (const [key, record] of this.records) {
      if (record.expires > now) break;
      this.forget(key);
    }
    let key = `${owner}\u0000${JSON.stringify(id)}`;
    if (key.length > MAX_KEY_LENGTH) key = createHash('sha256').update(key).digest('base64url');
    const known = this.records.get(key);
    if (known?.fingerprint === print) return { response: await known.response, repeated: true };
    this.forget(key);
    const record: Remembered = { expires: now + this.options.window, fingerprint: print, response: publish(), owner };
    this.records.set(key, record);
    let keys = this.owners.get(owner);
    if (!keys) this.owners.set(owner, (keys = new Set()));
    keys.add(key);
    while (this.records.size > this.options.maxEntries) {
      let heaviest: Set<string> | undefined;
      for (const candidate of this.owners.values()) if (!heaviest || candidate.size > heaviest.size) heaviest = candidate;
      this.forget(heaviest!.values().next().value!);
    }
    try {
      return { response: await record.response, repeated: false };
    } catch (error) {
      if (this.records.get(key) === record) this.forget(key);
      throw error;
    }
  }

  private forget(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    this.records.delete(key);
    const keys = this.owners.get(record.owner)!;
    keys.delete(key);
    if (keys.size === 0) this.owners.delete(record.owner);
  }
}
