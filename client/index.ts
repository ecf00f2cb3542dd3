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
export { createClient, type ClientEvents, type ClientOptions, type RtmClient } from './client.js';
export type { Channel, ChannelHandler, ChannelMeta } from './channel.js';
export type { ConnectionState, StateChange, WebSocketConstructor } from './connection.js';
export type { BackoffOptions } from './backoff.js';
export type { RequestOptions } from './requests.js';
export type { TokenProvider } from './token.js';
export { RtmError, type ClientErrorCode } from './errors.js';
export { RtcErrorCode, CloseCode, type Json, type NotificationData } from './protocol.js';
