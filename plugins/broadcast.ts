import { RtmError, type Json } from '../client/index.js';
import { pageClient } from './connection.js';
import { findElement, readValue } from './dom.js';

/** What a Broadcast sends. */
export interface BroadcastConfig {
  /** Channel to publish on. */
  channel: string;
  /** Event name of the message. */
  event?: string | null;
  /** Items or inputs (ids, names or selectors) whose values form the payload `{ <name>: <value> }`. */
  items?: string[];
  /** A fixed payload, merged under the item values. */
  payload?: Json;
}

/** Publishes one message on the page's connection; resolves with the server's acknowledgement. */
export async function broadcast(config: BroadcastConfig): Promise<Json> {
  const client = await pageClient();
  return client.channel(config.channel).publish(config.event ?? null, buildPayload(config));
}

/**
 * Makes `element` broadcast on `trigger` (default `click`). While sending, the
 * element is disabled; afterwards it fires `rtm-sent` (detail: the response)
 * or `rtm-send-error` (detail: the error). Returns the function that unbinds it.
 */
export function bindBroadcast(element: Element, config: BroadcastConfig, trigger = 'click'): () => void {
  const onTrigger = (event: Event): void => {
    if (event.type === 'submit') event.preventDefault();
    void send(element, config);
  };
  element.addEventListener(trigger, onTrigger);
  return () => element.removeEventListener(trigger, onTrigger);
}

/** Sends on behalf of a trigger element, with the disabled state and result events. */
export async function send(element: Element, config: BroadcastConfig): Promise<void> {
  const disableable = 'disabled' in element;
  const wasDisabled = disableable && (element as HTMLButtonElement).disabled;
  if (disableable) (element as HTMLButtonElement).disabled = true;
  try {
    const response = await broadcast(config);
    element.dispatchEvent(new CustomEvent('rtm-sent', { detail: { response, channel: config.channel, event: config.event ?? null }, bubbles: true }));
  } catch (error) {
    element.dispatchEvent(new CustomEvent('rtm-send-error', { detail: { error, channel: config.channel, event: config.event ?? null }, bubbles: true }));
  } finally {
    if (disableable) (element as HTMLButtonElement).disabled = wasDisabled;
  }
}

function buildPayload(config: BroadcastConfig): Json {
  if (!config.items?.length) return config.payload ?? null;
  const base = config.payload;
  const payload: Record<string, Json> = typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...base } : {};
  for (const item of config.items) {
    const element = findElement(item);
    if (!element) throw new RtmError('bad_argument', `broadcast item "${item}" is not on the page`);
    payload[item] = readValue(element);
  }
  return payload;
}
