import { randomBytes } from 'node:crypto';
import type { Json } from '../../protocol/index.js';
import type { Logger } from '../ops/log.js';
import type { RedisLink } from '../redis/link.js';
import { StoreUnavailableError } from '../errors.js';

/** How long an instance waits for another to answer before the request fails as unavailable. */
const ASK_TIMEOUT_MS = 5_000;

/** Answers requests of one kind; `from` is the asking instance. */
export type RouteHandler = (body: Json, from: string) => Json | Promise<Json>;

/**
 * Lets instances address one another: each has a random id and, with Redis,
 * listens on a Pub/Sub channel of its own. Whatever belongs to one instance
 * (a connection, its HTTP session) carries that instance's id, so a request
 * landing anywhere behind a round-robin load balancer can be routed to it,
 * as Centrifugo routes its HTTP-streaming emulation through its broker.
 * Without Redis there is one instance and everything is local.
 */
export class InstanceRouter {
  /** This instance's id: 8 hex characters, the prefix of every id it hands out. */
  readonly id = randomBytes(4).toString('hex');
  private readonly handlers = new Map<string, RouteHandler>();
  private readonly waiting = new Map<number, { resolve: (body: Json) => void; reject: (error: Error) => void }>();
  private nextAsk = 1;

  constructor(
    private readonly redis: RedisLink | undefined,
    private readonly log: Logger,
    private readonly prefix = 'rtm:',
  ) {
    redis?.listen(this.channelOf(this.id), (text) => this.receive(text));
  }

  /** True when `id` (an id this or another instance handed out) belongs to this instance. */
  owns(id: string): boolean {
    return id.startsWith(`${this.id}.`);
  }

  /** The instance an id belongs to, or undefined when it is not of the form `<instance>.<rest>`. */
  instanceOf(id: string): string | undefined {
    const dot = id.indexOf('.');
    return dot === 8 && /^[0-9a-f]{8}$/.test(id.slice(0, 8)) ? id.slice(0, 8) : undefined;
  }

  /** Handles requests of `kind`, from this instance and from others. */
  handle(kind: string, handler: RouteHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Asks `instance` and resolves with its answer; `null` when no instance of that
   * id is listening (it is gone). Fails with {@link StoreUnavailableError} when Redis is.
   */
  async ask(instance: string, kind: string, body: Json): Promise<Json> {
    if (instance === this.id) return this.run(kind, body, this.id);
    if (!this.redis) return null;
    const id = this.nextAsk++;
    const answer = new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new StoreUnavailableError(`instance ${instance} did not answer within ${ASK_TIMEOUT_MS} ms`));
      }, ASK_TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
    const heard = await this.post(instance, { kind, body, from: this.id, ask: id }).catch((error: unknown) => {
      this.waiting.get(id)?.reject(error as Error);
      return 1;
    });
    if (heard === 0) this.waiting.get(id)?.resolve(null);
    return answer;
  }

  /** Sends without waiting for an answer; resolves with false when nobody listens for `instance`. */
  async tell(instance: string, kind: string, body: Json): Promise<boolean> {
    if (instance === this.id) {
      await this.run(kind, body, this.id);
      return true;
    }
    if (!this.redis) return false;
    return (await this.post(instance, { kind, body, from: this.id })) > 0;
  }

  /** Fails every request still waiting for an answer. */
  close(): void {
    for (const { reject } of this.waiting.values()) reject(new StoreUnavailableError('the server is shutting down'));
    this.waiting.clear();
  }

  private channelOf(instance: string): string {
    return `${this.prefix}instance:${instance}`;
  }

  private post(instance: string, message: Record<string, Json>): Promise<number> {
    const redis = this.redis!;
    return redis.run(() => redis.commands.publish(this.channelOf(instance), JSON.stringify(message)));
  }

  private async run(kind: string, body: Json, from: string): Promise<Json> {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no handler for ${kind}`);
    return handler(body, from);
  }

  private receive(text: string): void {
    let message: { kind: string; body: Json; from: string; ask?: number; answer?: number; failed?: boolean };
    try {
      message = JSON.parse(text);
    } catch {
      return this.log.error('route_message_unreadable', { length: text.length });
    }
    if (message.answer !== undefined) {
      const waiter = this.waiting.get(message.answer);
      this.waiting.delete(message.answer);
      if (!waiter) return;
      if (message.failed) waiter.reject(new Error('the other instance failed to answer'));
      else waiter.resolve(message.body);
      return;
    }
    const { ask, from } = message;
    void this.run(message.kind, message.body, from)
      .then(
        (body): unknown => ask !== undefined && this.post(from, { answer: ask, body, from: this.id }),
        (error: unknown): unknown => {
          this.log.error('route_failed', { kind: message.kind, error: String(error) });
          return ask !== undefined && this.post(from, { answer: ask, body: null, failed: true, from: this.id });
        },
      )
      .catch(() => {
      // Redis went away while answering; the asker times out and reports it.
    });
  }
}
