import type { Json } from '../client/index.js';
import { pageClient } from './connection.js';
import { findElement, widgetEvents } from './dom.js';
import { bad } from './errors.js';
import { track } from './own-echo.js';
import { fire, getItem, globalFunction } from './page-effects.js';
import { isRecord, list } from './parse.js';

/**
 * What a Broadcast sends. The payload is merged from, in order: `payload`
 * (static), the `form`'s fields, the `items`, and what `build` returns
 * (an object is merged, anything else replaces the payload).
 */
export interface BroadcastConfig {
  /** Channel to publish on. */
  channel: string;
  /** Event name of the message. */
  event?: string | null;
  /** Page items or inputs (ids, names or selectors) whose values are sent as `{ <item>: <value> }`. */
  items?: string | string[];
  /** A form (or its selector) whose fields are sent as `{ <name>: <value> }`. */
  form?: string | HTMLFormElement;
  /** A fixed payload, or its JSON text. */
  payload?: Json;
  /** A function (or a global one by dotted name) returning the payload or fields to add. */
  build?: string | ((config: BroadcastConfig) => Json);
  /** Milliseconds to wait for the server's acknowledgement. Default 5000. */
  timeout?: number;
}

/** Where and when {@link bindBroadcast} sends. */
export interface BroadcastBinding extends BroadcastConfig {
  /** The trigger: an element, or a selector matched whenever the event happens (so later elements count too). */
  element: Element | string;
  /** The DOM event that sends. Default `click`. */
  on?: string;
}

/** Publishes one message on the page's shared connection; resolves with the server's acknowledgement, rejects with an `RtmError`. */
export async function broadcast(config: BroadcastConfig): Promise<Json> {
  if (!config || typeof config.channel !== 'string' || !config.channel) throw bad('channel', config?.channel);
  const payload = buildPayload(config);
  const eventName = config.event || null;
  const client = await pageClient();
  return track(config.channel, eventName, payload, client.channel(config.channel).publish(eventName, payload, { timeout: config.timeout }));
}

/**
 * Sends on behalf of a trigger element: it is disabled while sending, then
 * fires `rtm-sent` (data: `{channel, event, response}`) or `rtm-send-error`
 * (data: `{channel, event, error}`). `publish` sends (default: {@link broadcast}
 * over the page's connection). Resolves with true when the server
 * acknowledged; never rejects.
 */
export async function send(element: Element, config: BroadcastConfig, publish = (): Promise<Json> => broadcast(config)): Promise<boolean> {
  const button = element as HTMLButtonElement;
  const disable = 'disabled' in element && !button.disabled;
  if (disable) button.disabled = true;
  const detail = { channel: config.channel, event: config.event ?? null };
  let response: Json;
  try {
    response = await publish();
  } catch (error) {
    fire(element, 'rtm-send-error', { ...detail, error });
    return false;
  } finally {
    if (disable) button.disabled = false;
  }
  // Outside the try: what a handler of rtm-sent does cannot make a delivered message count as failed.
  fire(element, 'rtm-sent', { ...detail, response });
  return true;
}

/** Makes a trigger element broadcast on an event; returns a handle whose `stop()` unbinds it. */
export function bindBroadcast(binding: BroadcastBinding): {
  /** Unbinds the trigger; safe to call more than once. */
  stop(): void;
} {
  const { element, on = 'click' } = binding ?? {};
  if (typeof on !== 'string') throw bad('on', on);
  if (!(typeof element === 'string' || element instanceof Element)) throw bad('element', element);
  const find = (event: Event): Element | null | undefined => {
    const target = event.target as Element;
    return typeof element === 'string' ? target.closest?.(element) : element.contains(target) ? element : null;
  };
  return { stop: onTrigger(on, find, () => binding) };
}

/**
 * Sends, on each `type` event anywhere in the document, for the trigger element `find` returns (if any) with the
 * settings `config` reads from it. The widgets' own `change` events never send; a `submit` does not navigate.
 * Returns the function that stops it.
 */
export function onTrigger(type: string, find: (event: Event) => Element | null | undefined, config: (trigger: Element) => BroadcastConfig): () => void {
  const handler = (event: Event): void => {
    const trigger = find(event);
    if (!trigger || widgetEvents.has(event)) return;
    if (type === 'submit') event.preventDefault();
    void send(trigger, config(trigger));
  };
  document.addEventListener(type, handler, true);
  return () => document.removeEventListener(type, handler, true);
}

/** The payload a Broadcast sends, merged as {@link BroadcastConfig} says; throws `bad_argument` for a missing item, form or function. */
export function buildPayload(config: BroadcastConfig): Json {
  let payload = config.payload ?? null;
  if (typeof payload === 'string' && /^\s*[[{"]/.test(payload)) {
    try {
      payload = JSON.parse(payload) as Json;
    } catch (cause) {
      throw bad('payload', payload, cause);
    }
  }
  const fields: Record<string, Json> = {};
  const form = config.form && findElement(config.form);
  if (config.form && !(form instanceof HTMLFormElement)) throw bad('form', config.form);
  if (form) for (const [name, value] of new FormData(form as HTMLFormElement)) if (typeof value === 'string') fields[name] = value;
  for (const item of list(config.items)) {
    const value = getItem(item);
    if (value === undefined) throw bad('items', item);
    fields[item] = value as Json;
  }
  const build = typeof config.build === 'string' ? globalFunction(config.build) : config.build;
  if (config.build && !build) throw bad('build', config.build);
  const built = build?.(config) as Json | undefined;
  if (Object.keys(fields).length || isRecord(built)) payload = { ...(isRecord(payload) ? payload : {}), ...fields, ...(isRecord(built) ? built : {}) };
  else if (build) payload = built ?? null;
  return payload;
}
