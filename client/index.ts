/**
 * rtm-kit client: a typed real-time messaging SDK for the RTC protocol.
 *
 * @example
 * ```ts
 * import { createClient } from 'rtm-kit';
 * const client = createClient({ url: 'wss://rtm.example.com/rtc', token: () => fetchToken() });
 * const chat = client.channel('room:42');
 * const stop = chat.on('message', (payload, meta) => console.log(meta.modifier, payload));
 * await chat.publish('message', { text: 'hello' });
 * ```
 * @packageDocumentation
 */
export { createClient, type ClientEvents, type ClientOptions, type ClientStats, type DirectMeta, type RtmClient, type TokenChange } from './client.js';
export type { TransportChange, TransportName } from './transports.js';
export type { Channel, ChannelHandler, ChannelListenOptions, ChannelMeta } from './channel.js';
export type { EventName, Events, JsonCompatible, JsonInput, Outgoing, PayloadOf } from './typed.js';
export type { ReadyOptions } from './readiness.js';
export type { Resource, ResourceEvent, ResourceHandler, ResourceListenOptions } from './resource.js';
export { FILTER_LIMITS, type ChannelFilter, type Filter, type FilterItem, type FilterOperators, type FilterPaths, type FilterValue } from '../protocol/index.js';
export type { Recovery, RecoveryEvent, SubscriptionState, SubscriptionStateHandler, SubscriptionStatus } from './subscriptions.js';
export type { ConnectionState, StateChange, WebSocketConstructor } from './connection.js';
export type { BackoffOptions } from './backoff.js';
export type { AbortSignalLike, RequestOptions } from './requests.js';
export type { TokenProvider } from './token.js';
export type { Environment, EnvironmentEvent } from './environment.js';
export type { Logger } from './log.js';
export { CLOSE_POLICY, type CloseAction } from './close-codes.js';
export { RtmError, UnauthorizedError, type ClientErrorCode } from './errors.js';
export { RtcErrorCode, CloseCode, userChannel, type EventData, type ResourceRef, type Json, type ResourceAction, type NotificationData, type RecoveryFailure, type StreamPosition } from '../protocol/index.js';
