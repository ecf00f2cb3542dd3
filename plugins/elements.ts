import { configure } from './connection.js';
import { onTrigger, type BroadcastConfig } from './broadcast.js';
import { listen, type ListenerConfig } from './listener.js';
import { report } from './page-effects.js';
import { BROADCAST, CONNECTION, kebab, LISTENER, readSettings } from './settings.js';

// Importing the widgets must not fail where there is no DOM (server-side rendering, Node).
const Base: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (class {} as typeof HTMLElement) : HTMLElement;

/**
 * `<rtm-connection url="/rtc" token-url="/api/token">`: sets the page's
 * connection (the same as calling `configure`). Place it anywhere; widgets
 * declared before it wait for it. With the `shared` attribute, the page's tabs
 * share one connection (needs the script `rtm-shared.iife.min.js`).
 */
export class RtmConnectionElement extends Base {
  /** Configures the page's connection from the attributes, or fires `rtm-error` when they are refused. */
  connectedCallback(): void {
    try {
      configure(readSettings(CONNECTION, (key) => this.getAttribute(kebab(key))));
    } catch (error) {
      report(this, error);
    }
  }
}

/**
 * `<rtm-listener channel="test" event="ping" set="#log=payload.text" append
 * refresh="orders" notify="New: {payload.text}" fire="rtm-message">`: a
 * Listener (see `ListenerConfig`; attributes are its keys in kebab case,
 * `ignore-own`, `server-only`; `resource="ds:orders"` instead of `channel` for
 * resource events) that runs while the element is in the document and moves
 * when its attributes change. It carries a `connected` attribute, for CSS,
 * while its subscription is confirmed by the server, and fires `rtm-error`
 * when the server refuses it. `fire` defaults to `rtm-message`, fired on the element.
 */
export class RtmListenerElement extends Base {
  /** The attributes whose changes move the subscription (the custom elements API reads this). */
  static readonly observedAttributes = LISTENER.replace(/[^a-zA-Z ]\S*/g, '').split(' ').map(kebab);
  /** Stops the running Listener; set while the element is in the document. */
  private off?: () => void;

  /** Starts the Listener when the element enters the document. */
  connectedCallback(): void {
    this.restart(true);
  }

  /** Stops it when the element leaves: no subscription outlives the element. */
  disconnectedCallback(): void {
    this.restart();
  }

  /** Restarts it with the new settings. */
  attributeChangedCallback(): void {
    // Upgrades report every attribute before connectedCallback; only later changes move the subscription.
    if (this.off) this.restart(true);
  }

  private restart(live?: boolean): void {
    this.off?.();
    this.off = undefined;
    this.removeAttribute('connected');
    if (!live) return;
    const config = readSettings<ListenerConfig>(LISTENER, (key) => this.getAttribute(kebab(key)));
    config.eventTarget = this;
    config.onState = (state) => this.toggleAttribute('connected', state === 'subscribed');
    let stop: (() => void) | undefined;
    try {
      stop = listen(config).stop;
    } catch (error) {
      report(this, error);
    }
    this.off = () => stop?.();
  }
}

/** Reads a Broadcast's settings from `data-rtm-*` attributes (`channel`, `event`, `items`, `form`, `payload`, `build`, `timeout`). */
export function broadcastConfigOf(element: Element): BroadcastConfig {
  const config = readSettings<BroadcastConfig>(BROADCAST, (key) => element.getAttribute('data-rtm-' + key));
  if (element instanceof HTMLFormElement) config.form ??= element;
  return config;
}

let started = false;
const bound = new Set<string>();

/**
 * Activates the HTML forms: defines `<rtm-connection>` and `<rtm-listener>`
 * and makes every `[data-rtm-broadcast]` element, present or added later,
 * broadcast on the DOM event its attribute names (default `click`). The
 * script-tag bundle calls it by itself.
 */
export function start(): void {
  if (started || typeof document === 'undefined') return;
  started = true;
  for (const [name, element] of [
    ['rtm-connection', RtmConnectionElement],
    ['rtm-listener', RtmListenerElement],
  ] as const) {
    if (!customElements.get(name)) customElements.define(name, element);
  }
  const typeOf = (element: Element): string => element.getAttribute('data-rtm-broadcast') || 'click';
  // One capturing listener per event type in use, so any event works, including ones that do not bubble.
  const scan = (): void => {
    for (const element of document.querySelectorAll('[data-rtm-broadcast]')) {
      const type = typeOf(element);
      if (!bound.has(type)) {
        bound.add(type);
        onTrigger(type, (event) => {
          const trigger = (event.target as Element | null)?.closest?.('[data-rtm-broadcast]');
          return trigger && typeOf(trigger) === type ? trigger : null;
        }, broadcastConfigOf);
      }
    }
  };
  scan();
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributeFilter: ['data-rtm-broadcast'] });
}
