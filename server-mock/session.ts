import type { RawData, WebSocket } from 'ws';
import {
  CHANNEL_TYPE,
  CloseCode,
  PUBLISHED,
  RtcErrorCode,
  RtcNotificationCode,
  isObject,
  type Json,
  type ResourceRef,
} from '../client/protocol.js';
import { TokenError, type Auth, type Identity } from './auth.js';
import { isChannelName, mayUse } from './channels.js';
import type { Hub, Subscriber } from './hub.js';
import { exceedsDepth } from './json.js';
import type { Logger } from './log.js';

/** Timing settings of a session, in seconds. */
export interface SessionTiming {
  /** Notification code 1 goes out this long before `exp` (at most half the token's remaining life). */
  reminder: number;
  /** After `exp` without a replacement, the connection closes this much later. */
  grace: number;
  /** A connection that brought no token must send `jwt replace` within this time. */
  authTimeout: number;
}

/** What a session needs from the server. */
export interface SessionContext {
  auth: Auth;
  hub: Hub;
  log: Logger;
  timing: SessionTiming;
  ip: string;
  origin: string | undefined;
}

class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly info: string,
  ) {
    super(info);
  }
}

/**
 * One RTC connection: authenticates it, answers its commands and owns its
 * subscriptions. Every input is checked; a bad frame gets an error response
 * and the connection stays usable.
 */
export class Session implements Subscriber {
  private identity: Identity | undefined;
  private readonly channels = new Set<string>();
  private timers: Array<() => void> = [];
  private closed = false;
  // Frames are handled one at a time, in order, so a subscribe right after a token-less connect's jwt replace sees the identity.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
  ) {}

  /** Starts the session with the token from the URL, if any. */
  async start(token: string | undefined): Promise<void> {
    this.ws.on('message', (data, isBinary) => {
      this.queue = this.queue.then(() => this.onFrame(data, isBinary));
    });
    this.ws.on('close', (code) => this.onClose(code));
    this.ws.on('error', () => {
      // ws reports protocol violations here and closes the socket itself; onClose cleans up.
    });
    if (token === undefined) {
      this.timers.push(after(this.ctx.timing.authTimeout * 1000, () => this.closeWith(CloseCode.InvalidToken, 'no token received')));
      return;
    }
    const verified = this.ctx.auth.verify(token).then(
      (identity) => this.authenticate(identity),
      (error: unknown) => this.rejectToken(error, null),
    );
    this.queue = verified;
    await verified;
  }

  deliver(frame: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  private authenticate(identity: Identity): void {
    const first = this.identity === undefined;
    this.identity = identity;
    this.clearTimers();
    const now = Date.now() / 1000;
    const lifetime = identity.exp - now;
    const remindIn = Math.max(0, lifetime - Math.min(this.ctx.timing.reminder, lifetime / 2));
    this.timers.push(
      after(remindIn * 1000, () => this.send({ type: 'notification', data: { code: RtcNotificationCode.TokenExpiring, info: 'token is about to expire, send jwt replace' } })),
      after((lifetime + this.ctx.timing.grace) * 1000, () => this.closeWith(CloseCode.TokenExpired, 'token expired')),
    );
    if (first) this.ctx.log.info('connect', { user: identity.sub, ip: this.ctx.ip, origin: this.ctx.origin });
  }

  private rejectToken(error: unknown, request: Json): void {
    if (!(error instanceof TokenError)) {
      this.ctx.log.error('auth_error', { error: String(error), ip: this.ctx.ip });
      this.respondError(request, RtcErrorCode.Internal, 'internal error');
      return this.closeWith(1011, 'internal error');
    }
    this.ctx.log.warn('auth_failed', { reason: error.message, ip: this.ctx.ip, origin: this.ctx.origin });
    this.respondError(request, RtcErrorCode.InvalidToken, error.message);
    this.closeWith(CloseCode.InvalidToken, error.message);
  }

  private async onFrame(raw: RawData, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    if (isBinary) return this.respondError(null, RtcErrorCode.Formatting, 'binary frames are not supported; send JSON text');
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return this.respondError(null, RtcErrorCode.Formatting, 'the message is not valid JSON');
    }
    if (exceedsDepth(frame)) return this.respondError(shallowEcho(frame), RtcErrorCode.Formatting, 'the message nests too deeply');
    if (!isObject(frame) || typeof frame.type !== 'string') {
      return this.respondError(frame as Json, RtcErrorCode.Formatting, 'a message is an object with a string "type"');
    }
    if (frame.type !== 'command') return this.respondError(frame as Json, RtcErrorCode.UnknownType, `unknown message type "${frame.type}"`);
    const data = frame.data;
    if (!isObject(data) || typeof data.command !== 'string') {
      return this.respondError((data ?? null) as Json, RtcErrorCode.Formatting, 'a command needs data.command as a string');
    }
    const request = data as Json;
    try {
      const response = await this.execute(data.command, data.arguments);
      this.send({ type: 'command response', data: { request, response } });
    } catch (error) {
      if (!(error instanceof CommandError)) {
        this.ctx.log.error('command_failed', { command: data.command, error: String(error) });
        return this.respondError(request, RtcErrorCode.Internal, 'internal error');
      }
      this.respondError(request, error.code, error.info);
    }
  }

  private async execute(command: string, args: unknown): Promise<Json> {
    if (command === 'jwt replace') return this.replaceToken(args);
    if (!this.identity) throw new CommandError(RtcErrorCode.InvalidToken, 'authenticate first: send jwt replace with a token');
    const sub = this.identity.sub;
    switch (command) {
      case 'subscribe':
      case 'unsubscribe': {
        const { resource } = readSubscription(args);
        if (!mayUse(sub, resource.name)) throw notAllowed();
        if (command === 'subscribe') {
          this.channels.add(resource.name);
          this.ctx.hub.subscribe(resource, this);
        } else {
          this.channels.delete(resource.name);
          this.ctx.hub.unsubscribe(resource, this);
        }
        return {};
      }
      case 'publish': {
        if (!isObject(args) || !('data' in args)) throw new CommandError(RtcErrorCode.Formatting, 'publish needs arguments.channel and arguments.data');
        if (!isChannelName(args.channel)) throw unavailable(args.channel);
        if (!mayUse(sub, args.channel)) throw notAllowed();
        this.ctx.hub.publish(args.channel, args.data as Json, sub);
        return {};
      }
      case 'ping':
        return { pong: true, time: Date.now() };
      default:
        throw new CommandError(RtcErrorCode.UnknownCommand, `unknown command "${command}"`);
    }
  }

  private async replaceToken(args: unknown): Promise<Json> {
    if (!isObject(args) || typeof args.token !== 'string') throw new CommandError(RtcErrorCode.Formatting, 'jwt replace needs arguments.token');
    const identity = await this.ctx.auth.verify(args.token).catch((error: unknown) => {
      if (error instanceof TokenError) throw new CommandError(RtcErrorCode.InvalidToken, error.message);
      throw error;
    });
    // A connection keeps one identity: switching users mid-connection would bypass per-user channel checks.
    if (this.identity && identity.sub !== this.identity.sub) throw new CommandError(RtcErrorCode.InvalidToken, 'the new token is for another subject');
    this.authenticate(identity);
    return {};
  }

  private respondError(request: Json, code: number, info: string): void {
    this.send({ type: 'command response', data: { request, error: { code, info } } });
  }

  private send(message: unknown): void {
    this.deliver(JSON.stringify(message));
  }

  private closeWith(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
  }

  private onClose(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    for (const name of this.channels) this.ctx.hub.unsubscribe({ type: CHANNEL_TYPE, name }, this);
    this.channels.clear();
    if (this.identity) this.ctx.log.info('disconnect', { user: this.identity.sub, ip: this.ctx.ip, code });
  }

  private clearTimers(): void {
    for (const cancel of this.timers) cancel();
    this.timers = [];
  }
}

/** Longest delay setTimeout honours; beyond it, it fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** setTimeout for any delay (token lifetimes can exceed 24.8 days); returns the cancel function. */
function after(ms: number, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (remaining: number): void => {
    timer = setTimeout(() => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : fn()), Math.min(Math.max(0, remaining), MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

function readSubscription(args: unknown): { resource: ResourceRef } {
  if (!isObject(args) || !Array.isArray(args.action) || args.action.length === 0 || !isObject(args.resource)) {
    throw new CommandError(RtcErrorCode.Formatting, 'needs arguments.action (a list) and arguments.resource {type, name}');
  }
  const { type, name } = args.resource;
  if (typeof type !== 'string' || typeof name !== 'string') throw new CommandError(RtcErrorCode.Formatting, 'resource type and name must be strings');
  if (type !== CHANNEL_TYPE) throw new CommandError(RtcErrorCode.UnknownResourceType, `unknown resource type "${type}"`);
  if (!isChannelName(name)) throw unavailable(name);
  const bad = args.action.find((action) => action !== PUBLISHED && action !== 'publish');
  if (bad !== undefined) throw new CommandError(RtcErrorCode.UnknownAction, `action ${JSON.stringify(bad)} is not supported on channels; use "published"`);
  return { resource: { type, name } };
}

function unavailable(name: unknown): CommandError {
  return new CommandError(RtcErrorCode.UnknownResourceName, `resource ${JSON.stringify(typeof name === 'string' ? name.slice(0, 300) : name ?? null)} is unavailable`);
}

function notAllowed(): CommandError {
  return new CommandError(RtcErrorCode.Unauthorized, 'none of the given actions ["published"] for this resource are allowed');
}

/** Echo of a too-deep frame: just enough for the client to match it (command and correlation_id). */
function shallowEcho(frame: unknown): Json {
  if (!isObject(frame) || !isObject(frame.data)) return null;
  const { command, correlation_id: id } = frame.data;
  const echo: Record<string, Json> = {};
  if (typeof command === 'string') echo.command = command;
  if (id !== undefined && !exceedsDepth(id, 4)) echo.correlation_id = id as Json;
  return echo;
}
