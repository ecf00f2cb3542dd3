import { createHash } from 'node:crypto';
import type { Json } from '../client/protocol.js';

/** The answer to a publish, and whether it was a repeat answered from memory. */
export interface LedgerAnswer {
  response: Json;
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
}

/** Settings of {@link MemoryLedger}. */
export interface MemoryLedgerOptions {
  /** How long an accepted publish is remembered, in ms. */
  window: number;
  /** Most publishes remembered at once; beyond, the oldest are forgotten first. */
  maxEntries: number;
  now: () => number;
}

/** Keys longer than this are hashed, so a huge correlation ID costs no more than a short one. */
const MAX_KEY_LENGTH = 200;

/** The ledger in this process's memory: one record per remembered publish, oldest first, bounded in time and count. */
export class MemoryLedger implements PublishLedger {
  private readonly records = new Map<string, Remembered>();

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
      this.records.delete(key);
    }
    let key = `${owner}\u0000${JSON.stringify(id)}`;
    if (key.length > MAX_KEY_LENGTH) key = createHash('sha256').update(key).digest('base64url');
    const known = this.records.get(key);
    if (known?.fingerprint === print) return { response: await known.response, repeated: true };
    this.records.delete(key);
    const record: Remembered = { expires: now + this.options.window, fingerprint: print, response: publish() };
    this.records.set(key, record);
    for (const oldest of this.records.keys()) {
      if (this.records.size <= this.options.maxEntries) break;
      this.records.delete(oldest);
    }
    try {
      return { response: await record.response, repeated: false };
    } catch (error) {
      if (this.records.get(key) === record) this.records.delete(key);
      throw error;
    }
  }
}
