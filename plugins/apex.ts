/**
 * The Oracle APEX forms of the widgets: the JavaScript of the plug-ins
 * RTM_LISTENER_DA and RTM_BROADCAST_DA (plugins/apex/). APEX's da.js calls
 * them as `fn.call(context)` with no arguments, so every setting is read from
 * `this.action.attributeNN`, numbered as in the plug-ins: 01-06 mean what
 * they meant in the original APEX RTM plug-ins, the new ones start at 07.
 *
 * Neither function throws: a dynamic action that throws stops the rest of its
 * chain, and a real-time feature must never break a page. Problems are
 * reported as `rtm-error` / `rtm-send-error` and in the browser console.
 */
import type { Json } from '../client/index.js';
import { RtcErrorCode, RtmError, UnauthorizedError } from './client-api.js';
import { configure, configured, tokenFailure, webSocketUrl } from './connection.js';
import { broadcast as publishOnSocket, buildPayload, send, type BroadcastConfig } from './broadcast.js';
import { bad } from './errors.js';
import { listen, publishedByServer, type ListenerConfig, type ListenerHandle, type ListenerMessage } from './listener.js';
import { apexOf, getItem, report, setItem } from './page-effects.js';
import { isRecord, toText } from './parse.js';
import { BROADCAST, kebab, LISTENER, readSettings } from './settings.js';

/** What da.js passes as `this` to a dynamic action's JavaScript function. */
export interface DaContext {
  /** The action: `attribute01`..`attribute15` (null when empty) and its standard settings. */
  action: {
    [attribute: `attribute${string}`]: string | null | undefined;
    /** The plug-in's Ajax identifier, for `apex.server.plugin` (the token, and Broadcasts sent through the server). */
    ajaxIdentifier?: string | null;
    /** The action's Wait for Result setting: the chain waits until the plug-in resumes it. */
    waitForResult?: boolean;
    /** The action's Stop Execution On Error setting. */
    stopExecutionOnError?: boolean;
  };
  /** The element the DA's event happened on (the document or window on page load). */
  triggeringElement?: Element | Document | Window | null;
  /** The data of the triggering event (`apex.event.trigger`'s third argument). */
  data?: unknown;
  /** Where to resume the DA chain when Wait for Result is set. */
  resumeCallback?: unknown;
}

/** APEX item names: letters, digits, `_`, `$`, `#`. A message's itemName must be one, never a selector. */
const ITEM_NAME = /^[a-z][\w$#]{0,254}$/i;

const running = new Map<string, ListenerHandle>();

/** A config from a DA's `attributeNN` by a settings table; flags are the options of attribute 12 (`IGNORE_OWN`). */
function settingsOf<T>(table: string, a: DaContext['action']): T {
  const options = (a.attribute12 ?? '').split(':');
  return readSettings<T>(table, (key, n) => (n ? a[`attribute${n}`] || null : options.includes(kebab(key).replace('-', '_').toUpperCase()) ? '' : null));
}

/**
 * The Listener DA (RTM_LISTENER_DA). Attributes: 01 base WebSocket URL,
 * 02 channel (`user:&APP_USER.` substituted and encoded by the render
 * function), 03 event names (`ping`, `order.*`, `*`), 04 APEX event to fire
 * (default `rtm-message`); 07 Set Items (`P10_MESSAGE=payload.value`),
 * 08 regions to refresh, 09 notification template, 10 function to call,
 * 11 debounce ms, 12 options (`ONCE:IGNORE_OWN:SERVER_ONLY`), 13 what to do
 * with `{itemName, value}` payloads (`SERVER`, the default, or `OFF`),
 * 14 resource (`ds:orders`), 15 payload filter (`status=DONE`).
 * Firing the same Listener again replaces it rather than adding a second one.
 */
export function listener(this: DaContext): void {
  const a = this.action;
  const config = settingsOf<ListenerConfig>(LISTENER, a);
  const key = JSON.stringify([config, a.attribute13]);
  if (a.attribute13 !== 'OFF') config.onMatch = setNamedItem;
  // Fired on body, it bubbles to DAs whose When selects the body or the document.
  config.eventTarget = document.body;
  try {
    connect(a.ajaxIdentifier, a.attribute01);
    running.get(key)?.stop();
    running.set(key, listen(config));
  } catch (error) {
    report(document.body, error);
  }
}

/**
 * The original plug-ins' convention: a payload `{itemName, value}` sets that
 * item. Only for messages the server published, where the name comes from a
 * Broadcast's own configuration (the database sets it), so a page user can
 * never choose which item another page writes; and only an existing APEX item.
 * As in the original, an empty value leaves the item alone.
 */
function setNamedItem(message: ListenerMessage): void {
  const payload = message.payload;
  if (!publishedByServer(message) || !isRecord(payload)) return;
  const { itemName, value } = payload;
  if (typeof itemName !== 'string' || !ITEM_NAME.test(itemName) || value == null || value === '') return;
  if (apexOf()?.item?.(itemName)?.node) setItem(itemName, value);
}

/**
 * The Broadcast DA (RTM_BROADCAST_DA). Attributes: 01 API key (never
 * rendered: the render function leaves it out), 02 base URL, 03 channel,
 * 04 event name, 05 payload item (sent as `{itemName, value}`), 06 On Error
 * (`RAISE`, `LOG` the default, `IGNORE`); 07 send through (`SERVER`, the
 * default: the plug-in's Ajax callback publishes from the database; `SOCKET`:
 * the page's WebSocket with the user's token), 08 items, 09 static JSON,
 * 10 function building the payload, 11 timeout ms. The triggering element is
 * disabled while sending and gets `rtm-sent` / `rtm-send-error`. With Wait for
 * Result the chain resumes after the answer; a failure counts as an error
 * (which stops the chain when Stop Execution On Error is set) only with On
 * Error = RAISE.
 */
export function broadcast(this: DaContext): void {
  const a = this.action;
  const { resumeCallback, triggeringElement } = this;
  const item = a.attribute05;
  const config = settingsOf<BroadcastConfig>(BROADCAST, a);
  const publish = async (): Promise<Json> => {
    try {
      const payload = buildPayload(config);
      const value = item ? getItem(item) : undefined;
      if (a.attribute07 !== 'SOCKET') return await publishThroughServer(config, payload, value, a.ajaxIdentifier);
      connect(a.ajaxIdentifier, a.attribute02);
      const { channel, event, timeout } = config;
      return await publishOnSocket({ channel, event, timeout, payload: item ? { ...(isRecord(payload) ? payload : {}), itemName: item, value: (value ?? null) as Json } : payload });
    } catch (error) {
      if (a.attribute06 !== 'RAISE' && a.attribute06 !== 'IGNORE') console.warn('rtm-kit:', error);
      throw error;
    }
  };
  void send(triggeringElement instanceof Element ? triggeringElement : document.body, config, publish).then((ok) => {
    if (a.waitForResult) apexOf()?.da?.resume(resumeCallback, !ok && a.attribute06 === 'RAISE');
  });
}

/**
 * SERVER: the plug-in's Ajax callback publishes with rtm_api, on the action's
 * own channel and event; the page sends only the payload (x02) and the
 * payload item's value (x03), and the database sets `itemName` itself.
 */
async function publishThroughServer(config: BroadcastConfig, payload: Json, value: unknown, ajaxIdentifier: string | null | undefined): Promise<Json> {
  const plugin = ajaxOf(ajaxIdentifier);
  payload ??= {};
  if (!isRecord(payload)) throw bad('payload', JSON.stringify(payload));
  const timeout = config.timeout ?? 5000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answer = await new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new RtmError('timeout', `${timeout} ms`)), timeout);
    plugin(ajaxIdentifier!, { x01: 'send', x02: JSON.stringify(payload), x03: toText(value) }).then(resolve, (failure: unknown) => {
      const status = statusOf(failure);
      reject(new RtmError(status !== 'network' ? RtcErrorCode.Internal : 'disconnected', `Ajax: ${status}`));
    });
  }).finally(() => clearTimeout(timer));
  const { status, message } = (answer ?? {}) as { status?: unknown; message?: unknown };
  if (status === 'OK') return answer as Json;
  throw new RtmError(RtcErrorCode.Internal, `not published: ${String(message ?? status)}`);
}

/** Opens the page's one connection on the first DA that needs it; later DAs share it. */
function connect(ajaxIdentifier: string | null | undefined, base: string | null | undefined): void {
  // Without a base URL, the page configures the connection itself (RTM.configure or <rtm-connection>).
  if (configured() || !base) return;
  const plugin = ajaxOf(ajaxIdentifier);
  configure({ url: socketUrl(base), token: () => pageToken(plugin, ajaxIdentifier!) });
}

/** The plug-in's Ajax callback, `apex.server.plugin` with the action's identifier; bad_argument without them. */
function ajaxOf(ajaxIdentifier: string | null | undefined): Plugin {
  const plugin = apexOf()?.server?.plugin;
  if (!plugin) throw bad('apex.server.plugin');
  if (!ajaxIdentifier) throw bad('ajaxIdentifier');
  return plugin;
}

/**
 * The WebSocket endpoint from a base URL: http(s) becomes ws(s), and a URL
 * without a path (the original plug-in's `wss://host`) gets rtm-kit's `/rtc`.
 */
export const socketUrl = (base: string): string => webSocketUrl(base, true);

/**
 * A token from the plug-in's Ajax callback, signed in the database for the
 * session's user. An ended APEX session (HTTP 401/403, or an answer without a
 * token, such as APEX's error for an expired session or the callback's
 * `{"error": "unauthorized"}` on a public page) is an UnauthorizedError: the
 * page stops instead of asking again for ever. A network failure is retried.
 */
async function pageToken(plugin: Plugin, ajaxIdentifier: string): Promise<string> {
  let answer: unknown;
  try {
    answer = await plugin(ajaxIdentifier, { x01: 'token' });
  } catch (failure) {
    throw tokenFailure('APEX token callback', statusOf(failure));
  }
  const { token, error } = (answer ?? {}) as { token?: unknown; error?: unknown };
  if (typeof token === 'string' && token) return token;
  throw new UnauthorizedError(`APEX token callback: ${String(error)}`);
}

type Plugin = NonNullable<NonNullable<ReturnType<typeof apexOf>>['server']>['plugin'];

/** The HTTP status of a failed jQuery Ajax call (its jqXHR), or `network` when there is none. */
function statusOf(failure: unknown): number | 'network' {
  const status = (failure as { status?: number } | null)?.status;
  return status! > 0 ? status! : 'network';
}
