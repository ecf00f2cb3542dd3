import { CHANNEL_TYPE, RtcErrorCode, resourceKey, type CompiledFilter, type Json, type ResourceRef, type SubscribeResponse } from '../../protocol/index.js';
import type { Identity } from '../auth/tokens.js';
import { refusalText, type Policy } from '../auth/policy.js';
import { isSessionChannel } from '../auth/channels.js';
import type { Limits } from '../config/options.js';
import { CommandError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import type { Hub, Subscriber } from '../streams/hub.js';
import { readFilter, readSubscription } from './subscription-args.js';

/** What a connection's subscriptions need from the server. */
export interface SubscriptionsContext {
  hub: Hub;
  policy: Policy;
  limits: Limits;
  metrics: Metrics;
}

/**
 * The subscriptions one connection holds: the subscribe and unsubscribe
 * commands, checked (rights, the per-connection limits on subscriptions
 * and distinct filters) and counted. Their events go to the connection's
 * writer, `out`, through the hub's streams, which own their order.
 */
export class Subscriptions {
  // Both made on first use: a server holds many connections that never subscribe, or never filter.
  /** Held subscriptions by resource key, so they can be counted and dropped on close. */
  private held: Map<string, ResourceRef> | undefined;
  /** The canonical filter of each filtered subscription, by resource key, to count the distinct ones. */
  private filters: Map<string, string> | undefined;

  constructor(
    private readonly ctx: SubscriptionsContext,
    private readonly out: Subscriber,
  ) {}

  /** The subscribe command: answers with the stream position (and with `since`, whether the replay covered the gap). */
  async subscribe(identity: Identity, args: unknown): Promise<Json> {
    const { resource, actions, since, extended } = readSubscription(args, this.ctx.policy);
    if (resource.type === CHANNEL_TYPE && isSessionChannel(resource.name)) {
      throw new CommandError(RtcErrorCode.Unauthorized, 'session channels reach their own session without a subscription; nobody can subscribe to them');
    }
    const filter = readFilter(args, resource);
    if (!this.ctx.policy.maySubscribe(identity, resource)) throw new CommandError(RtcErrorCode.Unauthorized, refusalText(identity.sub, resource, actions));
    const key = resourceKey(resource);
    const held = (this.held ??= new Map());
    const fresh = !held.has(key);
    if (fresh && held.size >= this.ctx.limits.maxSubscriptions) {
      this.ctx.metrics.limited.inc({ limit: 'subscriptions' });
      throw new CommandError(RtcErrorCode.LimitExceeded, `subscription limit of ${this.ctx.limits.maxSubscriptions} reached; unsubscribe first`);
    }
    this.checkFilterLimit(key, filter);
    if (fresh) {
      held.set(key, resource);
      this.ctx.metrics.subscriptions.inc();
    }
    if (filter) (this.filters ??= new Map()).set(key, filter.key);
    else this.filters?.delete(key);
    let subscribed;
    try {
      subscribed = await this.ctx.hub.subscribe(resource, this.out, { actions, filter, since, positions: extended });
    } catch (error) {
      // History failed (a shared store can be unreachable): the stream undid a new subscription, and so is it here.
      if (fresh) this.forget(key);
      throw error;
    }
    const { position } = subscribed;
    if (subscribed.recovered !== undefined) this.ctx.metrics.recoveries.inc({ result: subscribed.recovered ? 'recovered' : subscribed.reason });
    const response: SubscribeResponse =
      subscribed.recovered === false ? { recovered: false, reason: subscribed.reason, info: subscribed.info, ...position } : subscribed.recovered ? { recovered: true, ...position } : { ...position };
    // The position and recovery fields are extensions: a plain RTC subscription is answered with RTC's empty response.
    return extended ? { ...response } : {};
  }

  /** The unsubscribe command. */
  unsubscribe(args: unknown): Json {
    const { resource, actions } = readSubscription(args, this.ctx.policy);
    if (this.ctx.hub.unsubscribe(resource, this.out, actions)) this.forget(resourceKey(resource));
    return {};
  }

  /** Drops every subscription (the connection ended). */
  clear(): void {
    if (!this.held) return;
    for (const resource of this.held.values()) this.ctx.hub.unsubscribe(resource, this.out);
    this.ctx.metrics.subscriptions.dec(this.held.size);
    this.held = this.filters = undefined;
  }

  private forget(key: string): void {
    if (!this.held?.delete(key)) return;
    this.ctx.metrics.subscriptions.dec();
    this.filters?.delete(key);
  }

  /**
   * Refuses (error 7) a filter that would make the connection hold more distinct filters than allowed: each costs
   * an evaluation per event, where the same filter on many subscriptions is one definition.
   */
  private checkFilterLimit(key: string, filter: CompiledFilter | undefined): void {
    if (!filter) return;
    const others = new Set([...(this.filters ?? [])].filter(([other]) => other !== key).map(([, text]) => text));
    if (others.has(filter.key) || others.size < this.ctx.limits.maxFilters) return;
    this.ctx.metrics.limited.inc({ limit: 'filters' });
    throw new CommandError(RtcErrorCode.LimitExceeded, `filter limit of ${this.ctx.limits.maxFilters} distinct filters per connection reached; reuse a filter or unsubscribe first`);
  }
}
