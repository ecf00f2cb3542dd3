import { CloseCode, RtcErrorCode, isObject, type Json } from '../../protocol/index.js';
import type { Auth, Identity } from '../auth/tokens.js';
import { CommandError, TokenError } from '../errors.js';
import type { Clock } from '../ops/clock.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import type { SessionTiming } from '../config/options.js';
import type { ConnectionCap } from '../transport/connection-caps.js';
import { TokenTimers, type TokenTimerActions } from './token-timers.js';

/** What a connection's authentication needs from the server. */
export interface AuthenticationContext {
  auth: Auth;
  clock: Clock;
  timing: SessionTiming;
  log: Logger;
  metrics: Metrics;
  /** Open connections per `sub`, capped. */
  userCap: ConnectionCap;
}

/** The connection as its log lines name it. */
export interface ConnectionFacts {
  readonly ip: string;
  readonly origin: string | undefined;
  readonly transport: string;
}

/** What authentication makes the session do. */
export interface AuthenticationActions {
  /** Sends notification 1: the token `exp` is about to run out. */
  remind(exp: number): void;
  /** Answers the frame that carried no request (the URL's token) with an error. */
  refuse(code: number, info: string): void;
  /** Closes the connection. */
  close(code: number, reason: string): void;
}

/**
 * Who a connection is: its token from the URL or from `jwt replace`, one
 * subject for the connection's life, the per-user connection cap, and the
 * timers that remind before the token runs out and close after.
 */
export class Authentication implements TokenTimerActions {
  private current: Identity | undefined;
  private readonly timers: TokenTimers;

  // The context is the server's, shared; the session answers for its connection and its actions, and the timers
  // call this object's methods: nothing here is made per connection beyond the object itself.
  constructor(
    private readonly ctx: AuthenticationContext,
    private readonly session: ConnectionFacts & AuthenticationActions,
  ) {
    this.timers = new TokenTimers(ctx.clock, ctx.timing, this);
  }

  /** The verified identity, once there is one. */
  get identity(): Identity | undefined {
    return this.current;
  }

  /** Verifies the token the connection came with; without one, waits for a `jwt replace` for a while. */
  async start(token: string | undefined): Promise<void> {
    if (token === undefined) return this.timers.awaitToken();
    await this.ctx.auth.verify(token).then(
      (identity) => this.accept(identity),
      (error: unknown) => this.reject(error),
    );
  }

  /** The `jwt replace` command: a new token for the same subject. */
  async replace(args: unknown): Promise<Json> {
    if (!isObject(args) || typeof args.token !== 'string') throw new CommandError(RtcErrorCode.Formatting, 'jwt replace needs arguments.token');
    const identity = await this.ctx.auth.verify(args.token).catch((error: unknown) => {
      if (error instanceof TokenError) {
        this.ctx.log.warn('auth_failed', { reason: error.message, user: this.current?.sub, ip: this.session.ip, origin: this.session.origin });
        throw new CommandError(RtcErrorCode.InvalidToken, error.message);
      }
      throw error;
    });
    // A connection keeps one identity: switching users mid-connection would bypass per-user channel checks.
    if (this.current && identity.sub !== this.current.sub) {
      this.ctx.log.warn('auth_failed', { reason: 'jwt replace for another subject', user: this.current.sub, ip: this.session.ip });
      throw new CommandError(RtcErrorCode.InvalidToken, 'the new token is for another subject');
    }
    this.accept(identity);
    return {};
  }

  /** The reminder is due (called by the timers). */
  remind(exp: number): void {
    this.session.remind(exp);
  }

  /** The token ran out without a replacement (called by the timers). */
  expire(): void {
    this.session.close(CloseCode.TokenExpired, 'token expired');
  }

  /** No token came in time (called by the timers). */
  authTimeout(): void {
    this.session.close(CloseCode.InvalidToken, 'no token received');
  }

  /** Stops the timers and gives the connection back to the user's cap. */
  end(): void {
    this.timers.cancel();
    if (this.current) this.ctx.userCap.release(this.current.sub);
  }

  private accept(identity: Identity): void {
    const first = this.current === undefined;
    if (first && !this.ctx.userCap.claim(identity.sub)) {
      this.ctx.metrics.limited.inc({ limit: 'user_open' });
      this.ctx.log.warn('user_connections_exceeded', { user: identity.sub, ip: this.session.ip });
      return this.session.close(CloseCode.TryAgainLater, 'too many connections for this user');
    }
    this.current = identity;
    this.timers.armFor(identity.exp);
    if (first) this.ctx.log.info('connect', { user: identity.sub, ip: this.session.ip, origin: this.session.origin, transport: this.session.transport });
  }

  private reject(error: unknown): void {
    if (!(error instanceof TokenError)) {
      this.ctx.log.error('auth_error', { error: String(error), ip: this.session.ip });
      this.session.refuse(RtcErrorCode.Internal, 'internal error');
      return this.session.close(1011, 'internal error');
    }
    this.ctx.log.warn('auth_failed', { reason: error.message, ip: this.session.ip, origin: this.session.origin });
    this.session.refuse(RtcErrorCode.InvalidToken, error.message);
    this.session.close(CloseCode.InvalidToken, error.message);
  }
}
