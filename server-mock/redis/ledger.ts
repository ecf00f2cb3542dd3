import { createHash, randomBytes } from 'node:crypto';
import type { Json } from '../../protocol/index.js';
import type { LedgerAnswer, PublishLedger } from '../session/publish-ledger.js';
import type { RedisLink } from './link.js';
import { StoreUnavailableError } from '../errors.js';

/** How long a claim on a publish in progress holds, in ms: an instance that dies mid-publish blocks its repeats no longer than this. */
const CLAIM_MS = 10_000;
/** Longest pause between two looks at a claim in progress. */
const MAX_POLL_MS = 200;

/** Deletes KEYS[1] only if it still holds ARGV[1]: a failed publish releases its own claim, never a newer one. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** What a ledger key holds: the fingerprint, and the claim's token while the publish runs, or its response once accepted. */
interface LedgerRecord {
  print: string;
  claim?: string;
  response?: Json;
}

/** Settings of {@link RedisLedger}. */
export interface RedisLedgerOptions {
  /** How long an accepted publish is remembered, in ms; 0 remembers none. */
  window: number;
  /** Prefix of every key. Default `rtm:`. */
  prefix?: string;
}

/**
 * The publish de-duplication window shared through Redis, so a publish
 * re-sent to another instance after a reconnect is still answered once.
 *
 * The first attempt claims the key with `SET NX` (a short TTL, so a claim of
 * an instance that died does not last) and publishes; once accepted, the key
 * holds the response for the window. A repeat that finds a claim waits for
 * its answer by looking again with growing pauses: it gets the response when
 * the first attempt succeeds, or claims the key itself when the first failed
 * (its claim is released) or its instance died (the claim expired).
 */
export class RedisLedger implements PublishLedger {
  private readonly prefix: string;

  constructor(
    private readonly link: RedisLink,
    private readonly options: RedisLedgerOptions,
  ) {
    this.prefix = options.prefix ?? 'rtm:';
    link.commands.defineCommand('rtmRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  async once(owner: string, id: Json, print: string, publish: () => Promise<Json>): Promise<LedgerAnswer> {
    if (this.options.window <= 0) return { response: await publish(), repeated: false };
    const key = `${this.prefix}d:${createHash('sha256').update(`${owner}\u0000${JSON.stringify(id)}`).digest('base64url')}`;
    const claim = JSON.stringify({ print, claim: randomBytes(9).toString('base64url') } satisfies LedgerRecord);
    const redis = this.link.commands;
    const deadline = Date.now() + CLAIM_MS + MAX_POLL_MS;
    for (let pause = 5; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
      if ((await this.link.run(() => redis.set(key, claim, 'PX', CLAIM_MS, 'NX'))) === 'OK') break;
      const held = await this.link.run(() => redis.get(key));
      if (held === null) continue;
      const record = JSON.parse(held) as LedgerRecord;
      if (record.print !== print) {
        // The same ID on another channel or payload is a new publish: it takes the ID over, as the in-memory ledger does.
        await this.link.run(() => redis.set(key, claim, 'PX', CLAIM_MS));
        break;
      }
      if (record.response !== undefined) return { response: record.response, repeated: true };
      if (Date.now() > deadline) throw new StoreUnavailableError('the first attempt of this publish has not finished; try again');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    let response: Json;
    try {
      response = await publish();
    } catch (error) {
      await this.link.run(() => (redis as unknown as { rtmRelease(key: string, value: string): Promise<number> }).rtmRelease(key, claim)).catch(() => undefined);
      throw error;
    }
    // The publish went out: if remembering it fails, a repeat may publish again, but this answer is still true.
    await this.link.run(() => redis.set(key, JSON.stringify({ print, response } satisfies LedgerRecord), 'PX', this.options.window)).catch(() => undefined);
    return { response, repeated: false };
  }
}
