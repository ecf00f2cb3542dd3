import type { ChannelMeta, Json } from '../client/index.js';
import { pageClient } from './connection.js';
import { findElement, pick, writeValue } from './dom.js';

/** What a Listener does with each matching message. */
export interface ListenerConfig {
  /** Channel to listen on, e.g. `test` or `user:alice`. */
  channel: string;
  /** Only messages with this event name; all messages when omitted or `*`. */
  event?: string;
  /** Element (or selector, id or item name) that receives the value. */
  target?: string | Element;
  /** Field of the payload to write, e.g. `P10_MESSAGE` or `payload.value`; the whole payload when omitted. */
  value?: string;
  /** Append each message as a new line instead of replacing the target's content. */
  append?: boolean;
  /** Name of a DOM event (a `CustomEvent` with the message as `detail`) fired for each message. */
  fire?: string;
  /** Element the event is fired on. Default: `document`. */
  eventTarget?: EventTarget;
  /** Called for each message. */
  onMessage?: (payload: Json, meta: ChannelMeta) => void;
}

/** A running Listener. */
export interface ListenerHandle {
  /** Stops listening. Safe to call more than once. */
  stop(): void;
}

/** The `detail` of the DOM events a Listener fires. */
export interface ListenerEventDetail extends ChannelMeta {
  payload: Json;
}

/** Starts a Listener on the page's connection. */
export function listen(config: ListenerConfig): ListenerHandle {
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  const eventName = config.event && config.event !== '*' ? config.event : undefined;
  const handler = (payload: Json, meta: ChannelMeta): void => {
    if (config.target !== undefined) {
      const element = findElement(config.target);
      if (element) writeValue(element, pick(payload, config.value), config.append);
    }
    if (config.fire) {
      const detail: ListenerEventDetail = { payload, ...meta };
      (config.eventTarget ?? document).dispatchEvent(new CustomEvent(config.fire, { detail, bubbles: true, composed: true }));
    }
    config.onMessage?.(payload, meta);
  };
  void pageClient().then((client) => {
    if (stopped) return;
    const channel = client.channel(config.channel);
    unsubscribe = eventName === undefined ? channel.on(handler) : channel.on(eventName, handler);
  });
  return {
    stop() {
      stopped = true;
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
