/**
 * rtm-kit widgets: declarative Listener and Broadcast on top of the client,
 * in three forms that share one engine: HTML (`<rtm-listener>`,
 * `data-rtm-broadcast`), JS calls, and Oracle APEX dynamic actions (`apex`).
 *
 * @example
 * ```ts
 * import { configure, listen, broadcast } from 'rtm-kit/plugins';
 * configure({ url: '/rtc', tokenUrl: '/api/token' });
 * const listener = listen({ channel: 'test', event: 'ping', set: { '#log': 'payload.P10_MESSAGE' }, append: true });
 * await broadcast({ channel: 'test', event: 'ping', items: ['P10_MESSAGE'] });
 * listener.stop();
 * ```
 * @packageDocumentation
 */
export { configure, pageClient, enableShared, type PageConnectionConfig, type SharedClientFactory } from './connection.js';
export { listen, type ListenerConfig, type ListenerMessage, type ListenerHandle } from './listener.js';
export { broadcast, bindBroadcast, type BroadcastConfig, type BroadcastBinding } from './broadcast.js';
export { start, RtmConnectionElement, RtmListenerElement } from './elements.js';
export * as apex from './apex.js';
