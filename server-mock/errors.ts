/**
 * The server's errors: one shape, as ws has, so callers match on a stable
 * `code` and never on a message. Every class sets `name` to its own name;
 * `info` is text safe to show a client; `rtcCode` is the RTC error code a
 * client is told, and `status` the HTTP status where one applies.
 */
import { RtcErrorCode } from '../protocol/index.js';

/** The stable codes of {@link ServerError}, one per class. */
export const ServerErrorCode = {
  /** A setting cannot work ({@link ConfigError}). */
  Config: 'ERR_RTM_CONFIG',
  /** A token must be refused ({@link TokenError}). */
  Token: 'ERR_RTM_TOKEN',
  /** The JWKS could not be fetched ({@link JwksUnavailableError}). */
  JwksUnavailable: 'ERR_RTM_JWKS_UNAVAILABLE',
  /** A shared store (Redis) could not be reached ({@link StoreUnavailableError}). */
  StoreUnavailable: 'ERR_RTM_STORE_UNAVAILABLE',
  /** An RTC command failed; the client is answered with the command's RTC error code. */
  Command: 'ERR_RTM_COMMAND',
  /** A request to the REST API failed; it is answered with an HTTP status and `{error: {code, info}}`. */
  Http: 'ERR_RTM_HTTP',
  /** A call of the REST API from Node failed ({@link RestError}). */
  Rest: 'ERR_RTM_REST',
} as const;
/** One of the {@link ServerErrorCode} values. */
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** What every error of the server carries. */
export class ServerError extends Error {
  /** The RTC error code a client is told: 1 (internal) unless the error says otherwise. */
  readonly rtcCode: number;
  /** The HTTP status a REST answer carries, where one applies. */
  readonly status: number | undefined;
  /** Text safe to show a client. */
  readonly info: string;

  constructor(
    /** The stable code of the error's class; match on it, never on the message. */
    readonly code: ServerErrorCode,
    message: string,
    details: { rtcCode?: number; status?: number; info?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.rtcCode = details.rtcCode ?? RtcErrorCode.Internal;
    this.status = details.status;
    this.info = details.info ?? message;
  }
}

/** A setting that cannot work; the message says which and why. */
export class ConfigError extends ServerError {
  constructor(message: string) {
    super(ServerErrorCode.Config, message);
  }
}

/** A token that must be refused; the message says why (RTC error 3). */
export class TokenError extends ServerError {
  constructor(message: string) {
    super(ServerErrorCode.Token, message, { rtcCode: RtcErrorCode.InvalidToken });
  }
}

/** The JWKS cannot be fetched: the server's fault (RTC error 1), not the token's. */
export class JwksUnavailableError extends ServerError {
  constructor(message: string, cause?: unknown) {
    super(ServerErrorCode.JwksUnavailable, message, { cause });
  }
}

/**
 * A shared store (Redis) could not be reached. Nothing was published; the
 * client gets RTC error 1 (REST: HTTP 503) with this message as its info,
 * and may try again once the store is back.
 */
export class StoreUnavailableError extends ServerError {
  constructor(message: string) {
    super(ServerErrorCode.StoreUnavailable, message, { status: 503 });
  }
}

/** An RTC command that fails with `rtcCode`; its `info` is safe to show the client. */
export class CommandError extends ServerError {
  constructor(rtcCode: number, info: string) {
    super(ServerErrorCode.Command, info, { rtcCode });
  }

  /** The error for a policy refusal. */
  static from(refusal: { code: number; info: string }): CommandError {
    return new CommandError(refusal.code, refusal.info);
  }
}

/** A REST failure, answered as `{error: {code, info}}` (the RTC code) with HTTP `status`. */
export class HttpError extends ServerError {
  declare readonly status: number;

  constructor(status: number, rtcCode: number, info: string) {
    super(ServerErrorCode.Http, info, { rtcCode, status });
  }
}

/**
 * A REST call the server refused or that did not complete: `status` is the
 * HTTP status (0 when there was none), `rtcCode` the RTC error code the
 * server gave (undefined when it gave none).
 */
export class RestError extends ServerError {
  declare readonly status: number;
  declare readonly rtcCode: number;

  constructor(status: number, rtcCode: number | undefined, info: string) {
    super(ServerErrorCode.Rest, `${info} (HTTP ${status}${rtcCode === undefined ? '' : `, code ${rtcCode}`})`, { status, info, ...(rtcCode === undefined ? {} : { rtcCode }) });
  }
}
