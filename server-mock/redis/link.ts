import { Redis, type RedisOptions } from 'ioredis';
import { checkRedisUrl } from '../config/check.js';
import type { Logger } from '../ops/log.js';
import { StoreUnavailableError } from '../errors.js';

/** Longest wait between two reconnection attempts, in ms. */
const MAX_RETRY_DELAY_MS = 2_000;
/** Pause before subscribing again after Redis refused a subscription. */
const SUBSCRIBE_RETRY_MS = 500;
/** A command Redis has not answered within this is failed, so a hung Redis cannot hold publishes forever. */
const COMMAND_TIMEOUT_MS = 5_000;

/**
 * The server's two connections to Redis: one for commands (history,
 * de-duplication), one held in Pub/Sub mode for the event bus (Redis
 * requires a connection of its own for that). Both reconnect by themselves
 * with jittered exponential backoff. Commands never queue while Redis is
 * away: they fail at once with {@link StoreUnavailableError}, so a publish
 * is answered with an error instead of waiting an unknown time.
 */
export class RedisLink {
  /** The connection for commands. */
  readonly commands: Redis;
  /** The connection in Pub/Sub mode. */
  readonly subscriber: Redis;
  /** Pub/Sub channels to hold, and whether the current subscriber connection has confirmed each. */
  private readonly channels = new Map<string, boolean>();
  private readonly where: string;
  private wasUp = false;
  private lastError = '';
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    checkRedisUrl(url);
    const options: RedisOptions = {
      // Full jitter, so a fleet of instances does not reconnect in step after Redis restarts.
      retryStrategy: (attempt) => Math.round(Math.random() * Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** Math.min(attempt, 10))),
      enableOfflineQueue: false,
      // A command cut off by a lost connection is failed, not re-sent: a re-sent append would publish twice.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectionName: 'rtm-server',
    };
    this.commands = new Redis(url, options);
    // Subscriptions are made again on every connection by this class, which also knows when they are confirmed.
    this.subscriber = new Redis(url, { ...options, commandTimeout: undefined, autoResubscribe: false });
    this.where = redactedUrl(url);
    this.subscriber.on('ready', () => {
      for (const channel of this.channels.keys()) this.subscribe(channel);
    });
    this.subscriber.on('close', () => {
      for (const channel of this.channels.keys()) this.channels.set(channel, false);
    });
    for (const connection of [this.commands, this.subscriber]) {
      connection.on('ready', () => this.changed());
      connection.on('close', () => this.changed());
      // ioredis reports every failed attempt here; the up/down transitions are what the log needs, with the latest reason.
      connection.on('error', (error: Error) => void (this.lastError = error.message));
    }
  }

  /** True when both connections are ready and every channel of {@link listen} is subscribed: nothing published now is missed. */
  get up(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready' && [...this.channels.values()].every(Boolean);
  }

  /** Holds a subscription to `channel`, made again after every reconnection, and hands its messages to `receive`. */
  listen(channel: string, receive: (message: string) => void): void {
    this.channels.set(channel, false);
    this.subscriber.on('message', (from: string, message: string) => {
      if (from === channel) receive(message);
    });
    if (this.subscriber.status === 'ready') this.subscribe(channel);
  }

  /** Runs Redis calls; any failure of Redis itself becomes a {@link StoreUnavailableError}. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.commands.status !== 'ready') throw new StoreUnavailableError('Redis is unavailable: not connected; try again shortly');
    try {
      return await work();
    } catch (error) {
      throw new StoreUnavailableError(`Redis is unavailable: ${(error as Error).message}`);
    }
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    clearTimeout(this.retry);
    this.channels.clear();
    await Promise.all([this.commands, this.subscriber].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  }

  private subscribe(channel: string): void {
    this.subscriber.subscribe(channel).then(
      () => {
        this.channels.set(channel, true);
        this.changed();
      },
      (error: unknown) => {
        // Refused on a live connection (e.g. an ACL without the channel): try again a little later; a reconnection also does.
        this.log.warn('redis_subscribe_failed', { channel, error: String(error) });
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          if (this.subscriber.status !== 'ready') return;
          for (const [pending, confirmed] of this.channels) if (!confirmed) this.subscribe(pending);
        }, SUBSCRIBE_RETRY_MS);
      },
    );
  }

  private changed(): void {
    const up = this.up;
    if (up === this.wasUp) return;
    this.wasUp = up;
    if (up) this.log.info('redis_up', { redis: this.where });
    else this.log.warn('redis_down', { redis: this.where, error: this.lastError || undefined });
  }
}

/** The URL without its password, for logs. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
