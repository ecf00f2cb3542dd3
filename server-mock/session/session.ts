import { CloseCode, RtcErrorCode, RtcNotificationCode } from '../../protocol/index.js';
import type { Auth } from '../auth/tokens.js';
import type { Policy } from '../auth/policy.js';
import type { Clock } from '../ops/clock.js';
import type { ConnectionCap } from '../transport/connection-caps.js';
import type { Limits, SessionTiming } from '../config/options.js';
import type { Hub } from '../streams/hub.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import type { Pipe, PipeHandlers } from '../transport/pipe.js';
import { Outbound, type OutboundEvents } from '../transport/outbound.js';
import type { Publisher } from '../streams/publisher.js';
import { commandResponse, echoOf, readFrame, type ReceivedFrame } from './command-response.js';
import type { PublishLedger } from './publish-ledger.js';
import type { SessionDirectory } from './session-directory.js';
import { Authentication, type AuthenticationActions, type ConnectionFacts } from './authentication.js';
import { Dispatch } from './dispatch.js';
import { Intake } from './intake.js';
import { Publishing } from './publishing.js';
import { readCommand } from './read-command.js';
import { Subscriptions } from './subscriptions.js';

/** What a session needs from the server. */
export interface SessionContext {
  auth: Auth;
  hub: Hub;
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
  /** Where sessions are found by id, for messages addressed to one session. */
  sessions: SessionDirectory;
  /** Open connections per `sub`, capped. */
  userCap: ConnectionCap;
  /** Whether the server itself is behind: frames over the rate are then paced, not refused. */
  lag: { readonly behind: boolean };
}

/**
 * One RTC connection, whatever its transport (a {@link Pipe}): its protocol
 * I/O. Frames are read and admitted ({@link Intake}), handled one at a time
 * in order ({@link Dispatch}), and answered; everything it sends leaves
 * through its one bounded writer ({@link Outbound}). A bad frame gets an
 * error response and the connection stays usable.
 */
export class Session implements PipeHandlers, OutboundEvents, ConnectionFacts, AuthenticationActions {
  /** The unguessable id messages addressed to this one connection use (`session:<id>`, `/api/sessions/<id>/messages`). */
  readonly id: string;
  private readonly out: Outbound;
  private readonly intake: Intake;
  private readonly auth: Authentication;
  private readonly subscriptions: Subscriptions;
  private readonly dispatch: Dispatch;
  private ended = false;
  private closing = false;
  // Frames are handled one at a time, in order, so a subscribe right after a token-less connect's jwt replace sees the identity.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly pipe: Pipe,
    private readonly ctx: SessionContext,
    /** The client's address (proxy-aware), for logs. */
    readonly ip: string,
    /** The page's Origin, if it sent one, for logs. */
    readonly origin: string | undefined,
  ) {
    this.id = ctx.sessions.newId();
    // The parts report back to this object's methods, not to closures: every idle connection would carry them.
    this.out = new Outbound(pipe, ctx.limits.maxBuffered, ctx.clock, this);
    this.intake = new Intake(pipe, ctx.limits, ctx.clock, ctx.metrics, ctx.lag);
    this.auth = new Authentication(ctx, this);
    this.subscriptions = new Subscriptions(ctx, this.out);
    this.dispatch = new Dispatch({ auth: this.auth, subscriptions: this.subscriptions, publishing: new Publishing(ctx), clock: ctx.clock, log: ctx.log });
  }

  /**
   * Starts the session with the token from the URL, if any. With `announce` (the client connected with
   * `session=1`), the first frame tells the client its session id; a plain RTC client never sees it.
   */
  async start(token: string | undefined, announce = false): Promise<void> {
    this.ctx.metrics.connections.inc({ endpoint: 'rtc', transport: this.pipe.transport });
    this.ctx.sessions.add(this);
    this.pipe.bind(this);
    if (announce) this.notify(RtcNotificationCode.Session, 'the id of this connection', { id: this.id });
    const started = this.auth.start(token);
    // Frames wait while the token is verified (a JWKS fetch can take seconds).
    this.queue = started;
    await started;
  }

  /** The transport the connection uses, for logs. */
  get transport(): string {
    return this.pipe.transport;
  }

  /** One frame from the client (called by its {@link Pipe}). */
  frame(data: Buffer, isBinary: boolean): void {
    this.onMessage(data, isBinary);
  }

  /** The pipe ended (called by its {@link Pipe}). */
  closed(code: number): void {
    this.onClose(code);
  }

  /** A frame went out (called by its {@link Outbound}). */
  sent(): void {
    this.ctx.metrics.messagesOut.inc({ transport: this.pipe.transport });
  }

  /** The client reads too slowly (called by its {@link Outbound}). */
  slow(): void {
    this.dropSlowConsumer();
  }

  /** Sends notification 1 (called by its {@link Authentication}). */
  remind(exp: number): void {
    this.notify(RtcNotificationCode.TokenExpiring, 'token is about to expire, send jwt replace', { exp });
  }

  /** Answers the token the connection came with (called by its {@link Authentication}). */
  refuse(code: number, info: string): void {
    this.respondError(undefined, code, info);
  }

  /** Closes the connection with `code` (called by its {@link Authentication}). */
  close(code: number, reason: string): void {
    this.closeWith(code, reason);
  }

  /** Sends a message addressed to this session alone (see `directFrame`). */
  direct(frame: string): void {
    this.out.write(frame);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.ctx.metrics.messagesIn.inc({ transport: this.pipe.transport });
    if (this.closing) return;
    // What waits to be handled is bounded like what is sent.
    const size = data.length;
    if (!this.intake.queue(size)) return this.closeWith(CloseCode.RateLimited, 'too many frames waiting to be handled');
    // Up to maxFrame, a frame over maxPayload is read only to be answered (error 7, echoed like any answer), so the link stays.
    let handle: () => Promise<void> | void =
      size > this.ctx.maxPayload
        ? () => this.respondError(isBinary ? undefined : readFrame(data.toString()), RtcErrorCode.LimitExceeded, `the frame is ${size} bytes, over the server's limit of ${this.ctx.maxPayload}; nothing was done`)
        : () => this.onFrame(data, isBinary);
    if (this.intake.admit() === 'refuse') handle = () => this.onRateExceeded(data, isBinary);
    // Refusals go through the queue too, so answers keep the order of the frames they answer.
    this.queue = this.queue.then(async () => {
      this.intake.dequeue(size);
      await handle();
    });
  }

  private onRateExceeded(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    if (!this.intake.strike()) {
      this.ctx.log.warn('rate_abuse', { user: this.auth.identity?.sub, ip: this.ip });
      return this.closeWith(CloseCode.RateLimited, 'rate limit exceeded repeatedly');
    }
    this.respondError(isBinary ? undefined : readFrame(data.toString()), RtcErrorCode.LimitExceeded, 'rate limit exceeded: slow down');
  }

  private async onFrame(raw: Buffer, isBinary: boolean): Promise<void> {
    if (this.closing) return;
    const read = readCommand(raw, isBinary, this.ctx.limits.maxDepth);
    if ('error' in read) return this.respondError(read.received, read.error.code, read.error.info);
    const outcome = await this.dispatch.run(read.command, read.args, read.id);
    if ('error' in outcome) return this.respondError(read.received, outcome.error.code, outcome.error.info);
    this.out.write(commandResponse(echoOf(read.received), outcome));
  }

  /** Answers `frame` (undefined when there is none to echo) with an error. */
  private respondError(frame: ReceivedFrame | undefined, code: number, info: string): void {
    this.ctx.metrics.errors.inc({ code: String(code) });
    this.out.write(commandResponse(echoOf(frame), { error: { code, info } }));
  }

  private notify(code: number, info: string, data: Record<string, unknown>): void {
    this.out.write(JSON.stringify({ type: 'notification', data: { code, info, data } }));
  }

  private dropSlowConsumer(): void {
    if (this.closing) return;
    this.ctx.metrics.slowConsumers.inc();
    this.ctx.log.warn('slow_consumer', { user: this.auth.identity?.sub, ip: this.ip, buffered: this.pipe.bufferedAmount, transport: this.pipe.transport });
    this.closeWith(CloseCode.SlowConsumer, 'slow consumer: messages arrived faster than they were read');
  }

  private closeWith(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.out.end();
    this.intake.stop();
    this.pipe.close(code, reason);
  }

  private onClose(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.closing = true;
    this.out.end();
    this.intake.stop();
    this.auth.end();
    this.subscriptions.clear();
    this.ctx.sessions.remove(this);
    this.ctx.metrics.connections.dec({ endpoint: 'rtc', transport: this.pipe.transport });
    this.ctx.log.info('disconnect', { user: this.auth.identity?.sub, ip: this.ip, origin: this.origin, code, transport: this.pipe.transport });
  }
}
