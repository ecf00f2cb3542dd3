import { CHANNEL_TYPE, CloseCode, RtcErrorCode, RtcNotificationCode, isObject, quote, resourceKey, toChannelMessage, type Json, type ResourceRef, type SubscribeResponse, type CompiledFilter } from '../../protocol/index.js';
import { type Auth, type Identity } from '../auth/tokens.js';
import { refusalText, type Policy } from '../auth/policy.js';
import { sendBounded } from '../transport/backpressure.js';
import { commandResponse, echoOf, readFrame, type ReceivedFrame } from './command-response.js';
import { readFilter, readSubscription } from './commands.js';
import { isSessionChannel } from '../auth/channels.js';
import type { SessionDirectory } from './session-directory.js';
import type { Clock } from '../ops/clock.js';
import type { ConnectionCap } from '../transport/connection-caps.js';
import type { Limits, SessionTiming } from '../config/options.js';
import type { HistoryStore, StoredEvent } from '../streams/history.js';
import { eventOf, type Hub, type Subscriber } from '../streams/hub.js';
import { exceedsDepth } from './json-depth.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import type { Pipe } from '../transport/pipe.js';
import { plainFrame } from '../streams/event-frame.js';
import { fingerprint, type PublishLedger } from './publish-ledger.js';
import { TokenBucket } from './rate-limit.js';
import { TokenTimers } from './token-timers.js';
import { CommandError, StoreUnavailableError, TokenError } from '../errors.js';
import type { Publisher } from '../streams/publisher.js';

/** What a session needs from the server. */
export interface SessionContext {
  auth: Auth;
  hub: Hub;
  history: HistoryStore;
  ledger: PublishLedger;
  policy: Policy;
  log: Logger;
  metrics: Metrics;
  /** Sends channel messages, with their metric and message log line. */
  publisher: Publisher;
  timing: SessionTiming;
  limits: Limits;
  /** Largest command frame in bytes: a larger one is answered with error 7 and not executed. */
  maxPayload: number;
  clock: Clock;
  ip: string;
  origin: string | undefined;
  /** Where sessions are found by id, for messages addressed to one session. */
  sessions: SessionDirectory;
  /** Open connections per `sub`, capped. */
  userCap: ConnectionCap;
  /** Whether the server itself is behind: frames over the rate are then paced, not refused. */
  lag: { readonly behind: boolean };
}

/** Window over which refused frames count towards closing an abusive connection. */
const ABUSE_WINDOW_SECONDS = 10;

/** Longest a replay waits for the client to read half its send buffer; a client that reads nothing meanwhile is a slow consumer. */
export const REPLAY_STALL_MS = 10_000;

/**
 * One RTC connection, whatever its transport (a {@link Pipe}): authenticates
 * it, answers its commands in order and owns its subscriptions. Every input is
 * checked; a bad frame gets an error response and the connection stays usable.
 */
export class Session implements Subscriber {
  /** The unguessable id messages addressed to this one connection use (`session:<id>`, `/api/sessions/<id>/messages`). */
  readonly id: string;
  private identity: Identity | undefined;
  /** Held subscriptions by topic key, so they can be counted and dropped on close, and whether each asked for the extensions. */
  private readonly subscriptions = new Map<string, { resource: ResourceRef; extended: boolean }>();
  /** The canonical filter of each filtered subscription, by topic key, to count the distinct ones. */
  private readonly filters = new Map<string, string>();
  private readonly timers: TokenTimers;
  private closed = false;
  private closing = false;
  // Frames are handled one at a time, in order, so a subscribe right after a token-less connect's jwt replace sees the identity.
  private queue: Promise<void> = Promise.resolve();
  private queuedBytes = 0;
  /** Set while reading is paused to pace a connection (see pace()). */
  private paced: ReturnType<typeof setTimeout> | undefined;
  private readonly rate: TokenBucket;
  private readonly strikes: TokenBucket;
  /** Live events of streams being subscribed to, held back until the position is known and any replay is out. */
  private readonly held = new Map<string, { events: StoredEvent[]; bytes: number }>();
  /**
   * Positions of new subscriptions, until a later event arrives: with a shared bus, an event at or
   * below the position (already counted in it, or replayed) can still arrive after it was read.
   */
  private readonly floors = new Map<string, { epoch: string; offset: number }>();

  constructor(
    private readonly pipe: Pipe,
    private readonly ctx: SessionContext,
  ) {
    this.id = ctx.sessions.newId();
    const now = () => ctx.clock.now();
    this.rate = new TokenBucket(ctx.limits.rateBurst, ctx.limits.ratePerSecond, now);
    this.strikes = new TokenBucket(ctx.limits.abuseLimit, ctx.limits.abuseLimit / ABUSE_WINDOW_SECONDS, now);
    this.timers = new TokenTimers(ctx.clock, ctx.timing, {
      remind: (exp) => this.send({ type: 'notification', data: { code: RtcNotificationCode.TokenExpiring, info: 'token is about to expire, send jwt replace', data: { exp } } }),
      expire: () => this.closeWith(CloseCode.TokenExpired, 'token expired'),
      authTimeout: () => this.closeWith(CloseCode.InvalidToken, 'no token received'),
    });
  }

  /**
   * Starts the session with the token from the URL, if any. With `announce` (the client connected with
   * `session=1`), the first frame tells the client its session id; a plain RTC client never sees it.
   */
  async start(token: string | undefined, announce = false): Promise<void> {
    this.ctx.metrics.connections.inc({ endpoint: 'rtc', transport: this.pipe.transport });
    this.ctx.sessions.add(this);
    this.pipe.bind({ frame: (data, isBinary) => this.onMessage(data, isBinary), closed: (code) => this.onClose(code) });
    if (announce) this.send({ type: 'notification', data: { code: RtcNotificationCode.Session, info: 'the id of this connection', data: { id: this.id } } });
    if (token === undefined) return this.timers.awaitToken();
    const verified = this.ctx.auth.verify(token).then(
      (identity) => this.authenticate(identity),
      (error: unknown) => this.rejectToken(error),
    );
    this.queue = verified;
    await verified;
  }

  /** Sends a live event, or holds it back while its stream is being subscribed to. */
  deliver(frame: string, topic: string, event: StoredEvent): void {
    const floor = this.floors.get(topic);
    if (floor) {
      if (event.epoch === floor.epoch && event.offset <= floor.offset) return;
      this.floors.delete(topic);
    }
    const held = this.held.get(topic);
    if (!held) return this.write(this.frameFor(topic, event));
    held.events.push(event);
    held.bytes += frame.length;
    if (held.bytes > this.ctx.limits.maxBuffered) this.dropSlowConsumer();
  }

  /** The frame of `event` for this connection's subscription to `topic`: plain RTC unless it asked for the extensions. */
  private frameFor(topic: string, event: StoredEvent): string {
    return this.subscriptions.get(topic)?.extended ? event.frame : plainFrame(event);
  }

  /** Sends a message addressed to this session alone (see `directFrame`). */
  direct(frame: string): void {
    this.write(frame);
  }

  /** Sends a frame unless the client reads too slowly, in which case it is closed with 4003. */
  private write(frame: string): void {
    if (this.closing || !this.pipe.open) return;
    if (!sendBounded(this.pipe, frame, this.ctx.limits.maxBuffered)) return this.dropSlowConsumer();
    this.ctx.metrics.messagesOut.inc({ transport: this.pipe.transport });
  }

  private dropSlowConsumer(): void {
    if (this.closing) return;
    this.ctx.metrics.slowConsumers.inc();
    this.ctx.log.warn('slow_consumer', { user: this.identity?.sub, ip: this.ctx.ip, buffered: this.pipe.bufferedAmount, transport: this.pipe.transport });
    this.closeWith(CloseCode.SlowConsumer, 'slow consumer: messages arrived faster than they were read');
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.ctx.metrics.messagesIn.inc({ transport: this.pipe.transport });
    if (this.closing) return;
    // Frames wait while a token is verified (a JWKS fetch can take seconds); what waits is bounded like what is sent.
    const size = data.length;
    if (this.queuedBytes + size > this.ctx.limits.maxBuffered) {
      this.ctx.metrics.limited.inc({ limit: 'queue' });
      return this.closeWith(CloseCode.RateLimited, 'too many frames waiting to be handled');
    }
    this.queuedBytes += size;
    // Up to maxFrame, a frame over maxPayload is read only to be answered (error 7, echoed like any answer), so the link stays.
    const oversize = size > this.ctx.maxPayload;
    let handle: () => Promise<void> | void = oversize
      ? () => this.respondError(isBinary ? undefined : readFrame(data.toString()), RtcErrorCode.LimitExceeded, `the frame is ${size} bytes, over the server's limit of ${this.ctx.maxPayload}; nothing was done`)
      : () => this.onFrame(data, isBinary);
    if (!this.rate.take()) {
      // Frames that waited in socket buffers while the server was behind arrive together, however evenly they were sent:
      // then the connection is read more slowly instead, and a client that kept to the rate is not punished for our lag.
      if (this.ctx.lag.behind) this.pace();
      else handle = () => this.onRateExceeded(data, isBinary);
    }
    // Refusals go through the queue too, so answers keep the order of the frames they answer.
    this.queue = this.queue.then(async () => {
      this.queuedBytes -= size;
      await handle();
    });
  }

  /** Stops reading this connection for as long as one frame's share of the rate. */
  private pace(): void {
    this.ctx.metrics.limited.inc({ limit: 'paced' });
    if (this.paced) return;
    this.paced = setTimeout(() => {
      this.paced = undefined;
      if (!this.closing) this.pipe.resume?.();
    }, Math.ceil(1000 / this.ctx.limits.ratePerSecond));
    this.pipe.pause?.();
  }

  private onRateExceeded(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    this.ctx.metrics.limited.inc({ limit: 'rate' });
    if (!this.strikes.take()) {
      this.ctx.log.warn('rate_abuse', { user: this.identity?.sub, ip: this.ctx.ip });
      return this.closeWith(CloseCode.RateLimited, 'rate limit exceeded repeatedly');
    }
    this.respondError(isBinary ? undefined : readFrame(data.toString()), RtcErrorCode.LimitExceeded, 'rate limit exceeded: slow down');
  }

  private authenticate(identity: Identity): void {
    const first = this.identity === undefined;
    if (first && !this.ctx.userCap.claim(identity.sub)) {
      this.ctx.metrics.limited.inc({ limit: 'user_open' });
      this.ctx.log.warn('user_connections_exceeded', { user: identity.sub, ip: this.ctx.ip });
      return this.closeWith(CloseCode.TryAgainLater, 'too many connections for this user');
    }
    this.identity = identity;
    this.timers.armFor(identity.exp);
    if (first) this.ctx.log.info('connect', { user: identity.sub, ip: this.ctx.ip, origin: this.ctx.origin, transport: this.pipe.transport });
  }

  private rejectToken(error: unknown): void {
    if (!(error instanceof TokenError)) {
      this.ctx.log.error('auth_error', { error: String(error), ip: this.ctx.ip });
      this.respondError(undefined, RtcErrorCode.Internal, 'internal error');
      return this.closeWith(1011, 'internal error');
    }
    this.ctx.log.warn('auth_failed', { reason: error.message, ip: this.ctx.ip, origin: this.ctx.origin });
    this.respondError(undefined, RtcErrorCode.InvalidToken, error.message);
    this.closeWith(CloseCode.InvalidToken, error.message);
  }

  private async onFrame(raw: Buffer, isBinary: boolean): Promise<void> {
    if (this.closing) return;
    if (isBinary) return this.respondError(undefined, RtcErrorCode.Formatting, 'binary frames are not supported; send JSON text');
    const received = readFrame(raw.toString());
    const frame = received.value;
    if (frame === undefined) return this.respondError(received, RtcErrorCode.Formatting, 'the message is not valid JSON');
    if (exceedsDepth(frame, this.ctx.limits.maxDepth)) return this.respondError(received, RtcErrorCode.Formatting, 'the message nests too deeply');
    if (!isObject(frame) || typeof frame.type !== 'string') {
      return this.respondError(received, RtcErrorCode.Formatting, 'a message is an object with a string "type"');
    }
    if (frame.type !== 'command') return this.respondError(received, RtcErrorCode.UnknownType, `unknown message type ${quote(frame.type)}`);
    const data = frame.data;
    if (!isObject(data) || typeof data.command !== 'string') {
      return this.respondError(received, RtcErrorCode.Formatting, 'a command needs data.command as a string');
    }
    try {
      const response = await this.execute(data.command, data.arguments, data.correlation_id as Json | undefined);
      this.write(commandResponse(echoOf(received), { response }));
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.ctx.log.warn('store_unavailable', { command: data.command, user: this.identity?.sub, error: error.message });
        if (data.command === 'publish') this.logRejectedPublish(data.arguments, new CommandError(RtcErrorCode.Internal, error.message));
        return this.respondError(received, RtcErrorCode.Internal, error.message);
      }
      if (!(error instanceof CommandError)) {
        this.ctx.log.error('command_failed', { command: data.command, error: String(error) });
        return this.respondError(received, RtcErrorCode.Internal, 'internal error');
      }
      if (data.command === 'publish') this.logRejectedPublish(data.arguments, error);
      this.respondError(received, error.rtcCode, error.info);
    }
  }

  private async execute(command: string, args: unknown, id: Json | undefined): Promise<Json> {
    if (command === 'jwt replace') return this.replaceToken(args);
    const identity = this.identity;
    if (!identity) throw new CommandError(RtcErrorCode.InvalidToken, 'authenticate first: send jwt replace with a token');
    switch (command) {
      case 'subscribe':
        return this.subscribe(identity, args);
      case 'unsubscribe':
        return this.unsubscribe(args);
      case 'publish':
        return this.publish(identity, args, id);
      case 'ping':
        return { pong: true, time: this.ctx.clock.now() };
      default:
        throw new CommandError(RtcErrorCode.UnknownCommand, `unknown command ${quote(command)}`);
    }
  }

  private async subscribe(identity: Identity, args: unknown): Promise<Json> {
    const { resource, actions, since, extended } = readSubscription(args, this.ctx.policy);
    if (resource.type === CHANNEL_TYPE && isSessionChannel(resource.name)) {
      throw new CommandError(RtcErrorCode.Unauthorized, 'session channels reach their own session without a subscription; nobody can subscribe to them');
    }
    const filter = readFilter(args, resource);
    if (!this.ctx.policy.maySubscribe(identity, resource)) throw new CommandError(RtcErrorCode.Unauthorized, refusalText(identity.sub, resource, actions));
    const key = resourceKey(resource);
    const fresh = !this.subscriptions.has(key);
    if (fresh && this.subscriptions.size >= this.ctx.limits.maxSubscriptions) {
      this.ctx.metrics.limited.inc({ limit: 'subscriptions' });
      throw new CommandError(RtcErrorCode.LimitExceeded, `subscription limit of ${this.ctx.limits.maxSubscriptions} reached; unsubscribe first`);
    }
    this.checkFilterLimit(key, filter);
    if (fresh) {
      this.subscriptions.set(key, { resource, extended });
      this.ctx.metrics.subscriptions.inc();
    } else if (extended) {
      // Once asked for, positions stay: the client relies on them to recover.
      this.subscriptions.get(key)!.extended = true;
    }
    if (filter) this.filters.set(key, filter.key);
    else this.filters.delete(key);
    // Live events are held from the moment the subscription exists until the position is read (and any replay sent),
    // so none overtakes the replay, and none is both replayed and sent live.
    const held = { events: [] as StoredEvent[], bytes: 0 };
    this.held.set(key, held);
    this.ctx.hub.subscribe(resource, this, actions, filter);
    let response: SubscribeResponse;
    try {
      response = since === undefined ? await this.ctx.history.position(resource) : await this.recover(resource, actions, since, filter);
    } catch (error) {
      // History failed (a shared store can be unreachable): a new subscription is undone; one held before keeps its live events.
      this.held.delete(key);
      if (!fresh) for (const event of held.events) this.write(this.frameFor(key, event));
      else if (this.ctx.hub.unsubscribe(resource, this) && this.subscriptions.delete(key)) {
        this.ctx.metrics.subscriptions.dec();
        this.filters.delete(key);
      }
      throw error;
    }
    this.held.delete(key);
    // Held events up to the position predate a new subscription; one this connection already had was owed them live
    // (any it also got in the replay, the client drops by offset).
    for (const event of held.events) if (!fresh || event.offset > response.offset!) this.write(this.frameFor(key, event));
    if (fresh) this.floors.set(key, { epoch: response.epoch!, offset: response.offset! });
    return extended ? { ...response } : {};
  }

  /**
   * Refuses (error 7) a filter that would make the connection hold more distinct filters than allowed: each costs
   * an evaluation per event, where the same filter on many subscriptions is one definition.
   */
  private checkFilterLimit(key: string, filter: CompiledFilter | undefined): void {
    if (!filter) return;
    const others = new Set([...this.filters].filter(([other]) => other !== key).map(([, text]) => text));
    if (others.has(filter.key) || others.size < this.ctx.limits.maxFilters) return;
    this.ctx.metrics.limited.inc({ limit: 'filters' });
    throw new CommandError(RtcErrorCode.LimitExceeded, `filter limit of ${this.ctx.limits.maxFilters} distinct filters per connection reached; reuse a filter or unsubscribe first`);
  }

  /** Replays what was missed since `since` (what `filter` admits), paced by what the client reads; answers whether it could. */
  private async recover(resource: ResourceRef, actions: string[], since: { epoch: string; offset: number }, filter: CompiledFilter | undefined): Promise<SubscribeResponse> {
    const recovery = await this.ctx.history.since(resource, since);
    const { epoch, offset } = recovery.position;
    this.ctx.metrics.recoveries.inc({ result: recovery.recovered ? 'recovered' : recovery.reason });
    if (!recovery.recovered) return { recovered: false, reason: recovery.reason, info: recovery.info, epoch, offset };
    const wanted = (action: string): boolean => actions.includes(action) || actions.includes('all');
    // History is bounded, and the replay waits whenever half the send buffer is full: a long replay is never mistaken for a slow consumer.
    const pause = this.ctx.limits.maxBuffered / 2;
    for (const event of recovery.events) {
      if (this.closing || !this.pipe.open) break;
      if (!wanted(event.action) || (filter && !filter.test(eventOf(event)))) continue;
      if (this.pipe.bufferedAmount + event.frame.length > pause) {
        // Bounded: a client that never reads would otherwise hold this session's command queue forever.
        if (!(await this.sendAndWait(event.frame))) {
          this.dropSlowConsumer();
          break;
        }
      } else this.pipe.send(event.frame);
      this.ctx.metrics.messagesOut.inc({ transport: this.pipe.transport });
    }
    return { recovered: true, epoch, offset };
  }

  /** Sends `frame` and resolves true once it is flushed, or false if that takes longer than {@link REPLAY_STALL_MS}. */
  private sendAndWait(frame: string): Promise<boolean> {
    return new Promise((settle) => {
      const cancel = this.ctx.clock.after(REPLAY_STALL_MS, () => settle(false));
      this.pipe.send(frame, () => {
        cancel();
        settle(true);
      });
    });
  }

  private unsubscribe(args: unknown): Json {
    const { resource, actions } = readSubscription(args, this.ctx.policy);
    const key = resourceKey(resource);
    if (this.ctx.hub.unsubscribe(resource, this, actions) && this.subscriptions.delete(key)) {
      this.ctx.metrics.subscriptions.dec();
      this.floors.delete(key);
      this.filters.delete(key);
    }
    return {};
  }

  private async publish(identity: Identity, args: unknown, id: Json | undefined): Promise<Json> {
    if (!isObject(args) || !('data' in args) || !('channel' in args)) throw new CommandError(RtcErrorCode.Formatting, 'publish needs arguments.channel and arguments.data');
    const refusal = this.ctx.policy.checkChannel(args.channel);
    if (refusal) throw CommandError.from(refusal);
    const channel = args.channel as string;
    if (!this.ctx.policy.mayPublish(identity, channel)) throw new CommandError(RtcErrorCode.Unauthorized, refusalText(identity.sub, { type: 'channel', name: channel }, ['publish']));
    const data = args.data as Json;
    const publish = async (): Promise<Json> => {
      if (isSessionChannel(channel)) await this.sendDirect(channel, data, identity.sub);
      else await this.ctx.publisher.publish(channel, data, identity.sub, 'rtc');
      return {};
    };
    if (id === undefined) return publish();
    // A publish re-sent after its acknowledgement was lost carries the same correlation ID: answer it again, publish it once.
    const { response, repeated } = await this.ctx.ledger.once(identity.sub, id, fingerprint(channel, data), publish);
    if (repeated) this.ctx.metrics.publishRepeats.inc();
    return response;
  }

  /** A publish to `session:<id>`: to that one connection, on whichever instance holds it; nothing is kept in history. */
  private async sendDirect(channel: string, data: Json, sender: string): Promise<void> {
    const id = channel.slice(channel.indexOf(':') + 1);
    if (!(await this.ctx.publisher.direct(id, data, sender, 'rtc'))) throw new CommandError(RtcErrorCode.UnknownResourceName, `session ${quote(id)} is not connected`);
  }

  private logRejectedPublish(args: unknown, error: CommandError): void {
    if (!isObject(args)) return;
    this.ctx.publisher.rejected(this.identity?.sub ?? '', args.channel, toChannelMessage(args.data).eventName, { code: error.rtcCode, info: error.info });
  }

  private async replaceToken(args: unknown): Promise<Json> {
    if (!isObject(args) || typeof args.token !== 'string') throw new CommandError(RtcErrorCode.Formatting, 'jwt replace needs arguments.token');
    const identity = await this.ctx.auth.verify(args.token).catch((error: unknown) => {
      if (error instanceof TokenError) {
        this.ctx.log.warn('auth_failed', { reason: error.message, user: this.identity?.sub, ip: this.ctx.ip, origin: this.ctx.origin });
        throw new CommandError(RtcErrorCode.InvalidToken, error.message);
      }
      throw error;
    });
    // A connection keeps one identity: switching users mid-connection would bypass per-user channel checks.
    if (this.identity && identity.sub !== this.identity.sub) {
      this.ctx.log.warn('auth_failed', { reason: 'jwt replace for another subject', user: this.identity.sub, ip: this.ctx.ip });
      throw new CommandError(RtcErrorCode.InvalidToken, 'the new token is for another subject');
    }
    this.authenticate(identity);
    return {};
  }

  /** Answers `frame` (undefined when there is none to echo) with an error. */
  private respondError(frame: ReceivedFrame | undefined, code: number, info: string): void {
    this.ctx.metrics.errors.inc({ code: String(code) });
    this.write(commandResponse(echoOf(frame), { error: { code, info } }));
  }

  private send(message: unknown): void {
    this.write(JSON.stringify(message));
  }

  private closeWith(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.pipe.close(code, reason);
  }

  private onClose(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.timers.cancel();
    clearTimeout(this.paced);
    if (this.identity) this.ctx.userCap.release(this.identity.sub);
    for (const { resource } of this.subscriptions.values()) this.ctx.hub.unsubscribe(resource, this);
    this.ctx.metrics.subscriptions.dec(this.subscriptions.size);
    this.subscriptions.clear();
    this.filters.clear();
    this.ctx.sessions.remove(this);
    this.ctx.metrics.connections.dec({ endpoint: 'rtc', transport: this.pipe.transport });
    this.ctx.log.info('disconnect', { user: this.identity?.sub, ip: this.ctx.ip, origin: this.ctx.origin, code, transport: this.pipe.transport });
  }
}
