/**
 * The Oracle APEX forms of the widgets: dynamic-action JavaScript functions.
 * APEX's da.js calls them as `fn.call(context)` with no arguments, so every
 * setting is read from `this.action.attributeNN` (the seed read them from an
 * argument that never comes, and so ran on hard-coded defaults).
 *
 * Attributes 14 and 15 carry the application-level settings that the
 * plug-ins' render functions pass on: the WebSocket URL and, optionally, a
 * token URL. Without a token URL the token comes from the plug-in's own Ajax
 * callback (`apex.server.plugin(this.action.ajaxIdentifier)`), which signs
 * it in the database for `:APP_USER`.
 */
import { RtmError } from '../client/index.js';
import { configure, configured } from './connection.js';
import { send } from './broadcast.js';
import { listen, type ListenerHandle } from './listener.js';
import { apexOf } from './page.js';

/** What da.js passes as `this` to a dynamic action's JavaScript function. */
export interface DaContext {
  /** The action: `attribute01`..`attribute15` (null when empty), `ajaxIdentifier`, `waitForResult`, `stopExecutionOnError`. */
  action: { [attribute: `attribute${string}`]: string | null | undefined; ajaxIdentifier?: string | null; waitForResult?: boolean; stopExecutionOnError?: boolean };
  /** The element the DA's event happened on (the document or window on page load). */
  triggeringElement?: Element | Document | Window | null;
  /** The data of the triggering event (`apex.event.trigger`'s third argument). */
  data?: unknown;
  /** Where to resume the DA chain when Wait for Result is set. */
  resumeCallback?: unknown;
}

const running = new Map<string, ListenerHandle>();

/**
 * The Listener DA. Attributes: 01 channel (`&APP_USER.` is substituted by
 * APEX before the page renders), 02 event names, 03 payload filter
 * (`status=DONE`), 04 event to fire (default `rtm-message`), 05 item map
 * (`P10_MESSAGE=payload.value`), 06 regions to refresh, 07 notification
 * template, 08 function to call, 09 debounce ms, 10 options (`ONCE:IGNORE_OWN`),
 * 11 resource (`ds:orders`: listen to its created/updated/deleted events instead of a channel).
 * Firing the same Listener again replaces it rather than adding a second one.
 */
export function listener(this: DaContext): void {
  const a = this.action;
  connect(this);
  const options = (a.attribute10 ?? '').split(':');
  const config = {
    channel: a.attribute01 ?? undefined,
    resource: a.attribute11 ?? undefined,
    event: a.attribute02 ?? undefined,
    where: a.attribute03 ?? undefined,
    fire: a.attribute04 || 'rtm-message',
    set: a.attribute05 ?? undefined,
    refresh: a.attribute06 ?? undefined,
    notify: a.attribute07 ?? undefined,
    call: a.attribute08 ?? undefined,
    debounce: Number(a.attribute09 ?? 0),
    once: options.includes('ONCE'),
    ignoreOwn: options.includes('IGNORE_OWN'),
    // Fired on body, it bubbles to DAs whose When selects the body or the document.
    eventTarget: document.body,
  };
  const key = JSON.stringify({ ...config, eventTarget: undefined });
  running.get(key)?.stop();
  running.set(key, listen(config));
}

/**
 * The Broadcast DA. Attributes: 01 channel, 02 event name, 03 items
 * (comma-separated), 04 static JSON, 05 function building the payload,
 * 06 timeout ms. The triggering element is disabled while sending and gets
 * `rtm-sent` / `rtm-send-error`. With Wait for Result the chain resumes once
 * the server acknowledges, or with an error (which stops the chain when Stop
 * Execution On Error is set) on refusal or timeout.
 */
export function broadcast(this: DaContext): void {
  const a = this.action;
  const { resumeCallback, triggeringElement } = this;
  // Connecting inside send(): a plug-in misconfiguration is reported as rtm-send-error and resumes the chain.
  const sending = send(triggeringElement instanceof Element ? triggeringElement : document.body, {
    channel: a.attribute01!,
    event: a.attribute02,
    items: a.attribute03 ?? undefined,
    payload: a.attribute04 ?? undefined,
    build: a.attribute05 ?? undefined,
    timeout: a.attribute06 ? Number(a.attribute06) : undefined,
  }, () => connect(this));
  if (a.waitForResult) void sending.then((ok) => apexOf()?.da?.resume(resumeCallback, !ok));
}

/** Opens the page's one connection on the first DA that fires; later DAs share it. */
function connect(context: DaContext): void {
  if (configured()) return;
  const { attribute14: url, attribute15: tokenUrl, ajaxIdentifier } = context.action;
  if (!url) return; // the page configures the connection itself (RTM.configure or <rtm-connection>)
  const plugin = apexOf()?.server?.plugin;
  if (!tokenUrl && !(plugin && ajaxIdentifier)) throw new RtmError('bad_argument', 'the RTM plug-in needs a token URL or its Ajax callback');
  configure({
    url,
    tokenUrl: tokenUrl ?? undefined,
    token: tokenUrl ? undefined : async () => ((await plugin!(ajaxIdentifier!, {}, {})) as { token: string }).token,
  });
}
