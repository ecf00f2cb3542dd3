/**
 * rtm-kit widgets: declarative Listener and Broadcast on top of the client,
 * usable as HTML (`<rtm-listener>`, `data-rtm-broadcast`) or from JS.
 *
 * @example
 * ```ts
 * import { configure, listen, broadcast } from 'rtm-kit/plugins';
 * configure({ url: '/rtc', tokenUrl: '/api/token' });
 * const listener = listen({ channel: 'test', event: 'ping', target: '#log', value: 'P10_MESSAGE', append: true });
 * await broadcast({ channel: 'test', event: 'ping', items: ['P10_MESSAGE'] });
 * ```
 * @packageDocumentation
 */
export { configure, pageClient, type PageConnectionConfig } from './connection.js';
export { listen, type ListenerConfig, type ListenerEventDetail, type ListenerHandle } from './listener.js';
export { broadcast, bindBroadcast, type BroadcastConfig } from './broadcast.js';
export { start, RtmConnectionElement, RtmListenerElement } from './elements.js';
