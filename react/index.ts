/**
 * rtm-kit for React (18 and 19): a provider and hooks over the rtm-kit client.
 * Hooks subscribe in effects, so they are safe under StrictMode (one server
 * `subscribe` for a mount, unmount and remount), never connect during server
 * rendering, and always call the latest handler.
 *
 * @example
 * ```tsx
 * import { RtmProvider, useChannelMessages, useConnectionState, usePublish } from 'rtm-kit/react';
 *
 * function Room({ name }: { name: string }) {
 *   const messages = useChannelMessages<{ text: string }>(name, { eventName: 'message' });
 *   const { publish, pending } = usePublish<{ text: string }>(name);
 *   return (
 *     <>
 *       <p>{useConnectionState()}</p>
 *       <ul>{messages.map((m, i) => <li key={i}>{m.meta.modifier}: {m.payload.text}</li>)}</ul>
 *       <button disabled={pending} onClick={() => publish('message', { text: 'hi' })}>Say hi</button>
 *     </>
 *   );
 * }
 *
 * <RtmProvider options={{ url: 'wss://rtm.example.com/rtc', token: fetchToken }}><Room name="room:1" /></RtmProvider>;
 * ```
 * @packageDocumentation
 */
export { RtmProvider, type RtmProviderProps } from './provider.js';
export { useRtmClient } from './context.js';
export { useConnectionState } from './connection-state.js';
export { channelName, type ChannelName } from './channel-name.js';
export { useChannel } from './channel.js';
export { useChannelMessages, type ChannelMessage, type ChannelMessagesOptions } from './channel-messages.js';
export { usePublish, type Publisher } from './publish.js';
export { useResource, type ResourceActions } from './resource.js';
export { useSubscriptionState, type SubscriptionReport } from './subscription-state.js';
