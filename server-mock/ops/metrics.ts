import { Counter, Gauge, Registry } from 'prom-client';

/**
 * A counter by one label for paths taken once per frame (a fan-out to 10,000 counts 10,000 times): an increment adds
 * to a plain number, folded into the Prometheus counter when it is read. prom-client hashes the label set on every
 * increment, which cost as much as a tenth of a delivery's own work.
 */
export class FrameCounter<Label extends string> {
  private readonly counts = new Map<string, number>();

  constructor(registry: Registry, name: string, help: string, private readonly label: Label) {
    const counts = this.counts;
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        for (const [value, n] of counts) this.inc({ [label]: value } as Partial<Record<Label, string>>, n);
        counts.clear();
      },
    });
  }

  /** Counts one frame. */
  inc(labels: Record<Label, string>): void {
    const value = labels[this.label];
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }
}

/**
 * The server's Prometheus metrics, in a registry of their own (not
 * prom-client's global one) so several servers in one process, as in the
 * tests, keep separate counts.
 */
export class Metrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  /** Open connections, by endpoint (`rtc` or `legacy`) and transport. */
  readonly connections = new Gauge({ name: 'rtm_connections', help: 'Open connections, by endpoint and transport (websocket, http-stream, long-poll)', labelNames: ['endpoint', 'transport'] as const, registers: [this.registry] });
  /** Subscriptions held by all RTC connections. */
  readonly subscriptions = new Gauge({ name: 'rtm_subscriptions', help: 'Subscriptions held by RTC connections', registers: [this.registry] });
  /** Frames received from clients. */
  readonly messagesIn = new FrameCounter(this.registry, 'rtm_messages_in_total', 'Frames received from clients, by transport', 'transport');
  /** Frames sent to clients (responses, events, notifications, legacy frames). */
  readonly messagesOut = new FrameCounter(this.registry, 'rtm_messages_out_total', 'Frames sent to clients, by transport', 'transport');
  /** Channel messages and resource events published, by source (`rtc` or `rest`). */
  readonly broadcasts = new FrameCounter(this.registry, 'rtm_broadcasts_total', 'Channel messages and resource events published', 'source');
  /** Errors answered, by RTC error code. */
  readonly errors = new Counter({ name: 'rtm_errors_total', help: 'Error responses sent, by RTC error code', labelNames: ['code'] as const, registers: [this.registry] });
  /** Connections closed because they read too slowly. */
  readonly slowConsumers = new Counter({ name: 'rtm_slow_consumers_total', help: 'Connections closed because their send buffer overflowed', registers: [this.registry] });
  /** Connections refused or closed by a limit, by which one. */
  readonly limited = new Counter({ name: 'rtm_limited_total', help: 'Connections refused or closed by a limit', labelNames: ['limit'] as const, registers: [this.registry] });
  /** Subscribes with `since`, by result: `recovered`, or why not (`epoch`, `expired`). */
  readonly recoveries = new Counter({ name: 'rtm_recoveries_total', help: 'Subscribes that asked to recover missed events, by result', labelNames: ['result'] as const, registers: [this.registry] });
  /** Publishes answered from the de-duplication window instead of being published again. */
  readonly publishRepeats = new Counter({ name: 'rtm_publish_repeats_total', help: 'Repeated publishes acknowledged without publishing again', registers: [this.registry] });
  /** Resources (channels and resource names) with at least one subscriber; read from the hub when scraped. */
  readonly topics: Gauge;
  /** Message-log lines dropped because the file could not keep up. */
  readonly messageLogDropped = new Counter({ name: 'rtm_message_log_dropped_total', help: 'Message log lines dropped because the file could not keep up', registers: [this.registry] });

  /** 1 while Redis is reachable, 0 while not; only with Redis configured. */
  readonly redisUp: Gauge | undefined;

  /** `topicCount` reports how many resources have subscribers; `redisUp`, when Redis is configured, whether it is reachable. */
  constructor(topicCount: () => number, redisUp?: () => boolean) {
    this.redisUp =
      redisUp &&
      new Gauge({
        name: 'rtm_redis_up',
        help: 'Whether Redis (history, de-duplication and fan-out between instances) is reachable: 1 or 0',
        registers: [this.registry],
        collect() {
          this.set(redisUp() ? 1 : 0);
        },
      });
    this.topics = new Gauge({
      name: 'rtm_topics',
      help: 'Channels and resources with at least one subscriber',
      registers: [this.registry],
      collect() {
        this.set(topicCount());
      },
    });
  }
}
