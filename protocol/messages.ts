/**
 * The RTC wire protocol's messages: envelopes, error and notification codes,
 * close codes, and the checks that read them.
 */

/** Any JSON value; `correlation_id` may be any of these. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Error codes defined by the RTC protocol. */
export const RtcErrorCode = {
  /** Something went wrong in RTC that is not due to wrong user input. */
  Internal: 1,
  /** The client's JWT is not allowed to execute the command. */
  Unauthorized: 2,
  /** The provided token is not valid. */
  InvalidToken: 3,
  /** The received message could not be decoded. */
  Formatting: 4,
  /** The message `type` was not recognized. */
  UnknownType: 5,
  /** The `command` was not recognized. */
  UnknownCommand: 6,
  /** The resource type was not recognized. */
  UnknownResourceType: 1000,
  /** The resource name does not exist for the given type. */
  UnknownResourceName: 1001,
  /** One of the actions is not recognized or supported. */
  UnknownAction: 1002,
  /**
   * Extension: a server limit was hit (commands sent too fast, or too many
   * subscriptions on one connection). Nothing was done; retry later or
   * unsubscribe first.
   */
  LimitExceeded: 7,
} as const;
/** One of the numeric {@link RtcErrorCode} values. */
export type RtcErrorCode = (typeof RtcErrorCode)[keyof typeof RtcErrorCode];

/** Notification codes defined by the RTC protocol. */
export const RtcNotificationCode = {
  /** The token is about to expire: send `jwt replace` with a fresh one. */
  TokenExpiring: 1,
  /**
   * Extension, sent only to a client that connected with `session=1`: `data.id` is the connection's session id,
   * which messages addressed to this one connection use (`session:<id>`).
   */
  Session: 100,
} as const;

/**
 * WebSocket close codes the reference server uses. 4xxx codes are
 * application-defined, so the client can tell why it was closed even in a
 * browser, where a refused handshake shows only 1006.
 */
export const CloseCode = {
  /** The server is shutting down or restarting; reconnect. */
  GoingAway: 1001,
  /** The token was rejected at connect; do not retry with the same token. */
  InvalidToken: 4001,
  /** The token expired without a replacement; reconnect with a fresh token. */
  TokenExpired: 4002,
  /** The client read too slowly and its send buffer overflowed; reconnect. */
  SlowConsumer: 4003,
  /** The client kept sending faster than the rate limit after being told to slow down; reconnect with backoff. */
  RateLimited: 4004,
  /** The user already holds as many connections as the server allows; retried with backoff. */
  TryAgainLater: 1013,
} as const;

/** Commands the client may send. `ping` is an extension to RTC. */
export type CommandName = 'subscribe' | 'unsubscribe' | 'publish' | 'jwt replace' | 'ping';

/** Actions of resource and channel events. */
export type EventAction = 'created' | 'updated' | 'deleted' | 'all' | 'published';

/** A resource events are about; channels use type `channel`. */
export interface ResourceRef {
  /** The resource type, e.g. `channel` or `ds`. */
  type: string;
  /** The resource's name: for a channel, the channel name. */
  name: string;
}

/**
 * Extension: where a stream (a channel or a resource's events) stands. Every
 * event on a stream gets the next `offset` (1, 2, …); `epoch` names the
 * stream's history, and changes whenever that history was lost (e.g. a
 * restart without persistent history), so offsets are comparable only
 * within one epoch.
 */
export interface StreamPosition {
  /** The stream's epoch: offsets compare only within one. */
  epoch: string;
  /** Offset of the last event; 0 before the first. */
  offset: number;
}

/** Arguments of `subscribe` and `unsubscribe`. */
export interface SubscribeArguments {
  action: EventAction[];
  resource: ResourceRef;
  /** Extension (subscribe only): replay the events after this position before any live one. Implies `positions`. */
  since?: StreamPosition;
  /**
   * Extension (subscribe only): events carry `offset` and `epoch`, and the
   * response the stream position. Without it (or `since`), a subscription
   * gets exactly RTC's frames.
   */
  positions?: boolean;
}

/** Why a subscribe with `since` could not recover: the epoch changed (history lost), or the missed events left the history. */
export type RecoveryFailure = 'epoch' | 'expired';

/**
 * Extension: the response of `subscribe` on servers with history. `epoch` and
 * `offset` give the stream's position once subscribed. With `since`,
 * `recovered` says whether every missed event was replayed (before this
 * response); when false, `reason` and `info` say why, and nothing was replayed.
 */
export interface SubscribeResponse {
  epoch?: string;
  offset?: number;
  recovered?: boolean;
  reason?: RecoveryFailure;
  info?: string;
}

/** Arguments of `publish`. */
export interface PublishArguments {
  channel: string;
  data: Json;
}

/** The `data` of a `command` message. */
export type CommandData = {
  command: string;
  correlation_id?: Json;
  arguments?: Json;
};

/** Error details of a failed command. */
export interface RtcError {
  code: number;
  info: string;
}

/** A message from client to server. */
export interface CommandMessage {
  type: 'command';
  data: CommandData;
}

/**
 * The `data` of a `command response`. `request` is a copy of the whole
 * request message (`{type: "command", data: {…}}`), or `null` when the frame
 * could not be parsed. Some servers echo only the message's `data`;
 * {@link echoedCommand} reads either.
 */
export interface CommandResponseData {
  request: Json;
  response?: Json;
  error?: RtcError;
}

/** The `data` of an `event` message. */
export interface EventData {
  /** What happened: `created`, `updated`, `deleted`, or `published` on a channel. */
  action: string;
  /** What it happened to. */
  resource: ResourceRef;
  /** Who did it: a token's `sub`, or `api:<key name>` for REST broadcasts. */
  modifier?: {
    /** The publisher: a token's `sub`, or `api:<key name>` for the REST API. */
    id: string;
  };
  /** When the server accepted it (ISO 8601). */
  timestamp: string;
  /** The records, or for a channel the `{eventName, payload}` message. */
  data: Json;
  /** Extension, for subscriptions that asked (`positions` or `since`): the event's place in its stream (see {@link StreamPosition}). */
  offset?: number;
  /** Extension: the epoch `offset` belongs to. */
  epoch?: string;
}

/** The `data` of a `notification` message. */
export interface NotificationData {
  /** The notification code, e.g. 1 (`RtcNotificationCode.TokenExpiring`). */
  code: number;
  /** Human-readable details. */
  info: string;
  /** Extra data the server attached, if any. */
  data?: Json;
}

/** A message from server to client. */
export type ServerMessage =
  | { type: 'command response'; data: CommandResponseData }
  | { type: 'event'; data: EventData }
  | { type: 'notification'; data: NotificationData };

/** Returns true when `value` is a plain JSON object (not an array or null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The command a response's `request` echoes: the `data` of the whole request
 * message (as the protocol says), or the echo itself when a server sent only
 * that. Undefined when it is neither (e.g. `null` for an unparseable frame).
 */
export function echoedCommand(request: Json | undefined): { [key: string]: Json } | undefined {
  if (!isObject(request)) return undefined;
  if (request.type === 'command' && isObject(request.data)) return request.data as { [key: string]: Json };
  return 'command' in request || 'correlation_id' in request ? (request as { [key: string]: Json }) : undefined;
}
