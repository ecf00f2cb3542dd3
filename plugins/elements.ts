import { configure } from './connection.js';
import { send, type BroadcastConfig } from './broadcast.js';
import { listen, type ListenerConfig, type ListenerHandle } from './listener.js';
import { widgetEvents } from './dom.js';
import { fire } from './page-effects.js';

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
      configure({ url: this.getAttribute('url')!, tokenUrl: this.getAttribute('token-url') ?? undefined, token: this.getAttribute('token') ?? undefined, shared: this.hasAttribute('shared') });
    } catch (error) {
      reportError(this, error);
    }
  }
}

/**
 * `<rtm-listener channel="test" event="ping" set="#log=payload.text" append
 * refresh="orders" notify="New: {payload.text}" fire="rtm-message">`: a
 * Listener (see `ListenerConfig`; attributes are its keys, `ignore-own` for
 * `ignoreOwn`; `resource="ds:orders"` instead of `channel` for resource
 * events) that runs while the element is in the document and moves when its
 * attributes change. It carries a `connected` attribute, for CSS, while its
 * subscription is confirmed by the server, and fires `rtm-error` when the
 * server refuses it. `fire` defaults to `rtm-message`, fired on the element.
 */
export class RtmListenerElement extends Base {
  /** The attributes whose changes move the subscription (the custom elements API reads this). */
  static readonly observedAttributes = ['channel', 'resource', 'event', 'where', 'fire', 'set', 'append', 'refresh', 'notify', 'call', 'once', 'debounce', 'ignore-own'];
  private handle: ListenerHandle | undefined;
  /** True while in the document (undefined before the first connect). */
  private live?: boolean;

  /** Starts the Listener when the element enters the document. */
  connectedCallback(): void {
    this.live = true;
    this.restart();
  }

  /** Stops it when the element leaves: no subscription outlives the element. */
  disconnectedCallback(): void {
    this.live = false;
    this.stop();
  }

  /** Restarts it with the new settings. */
  attributeChangedCallback(): void {
    // Upgrades report every attribute before connectedCallback; only later changes move the subscription.
    if (this.live) this.restart();
  }

  private stop(): void {
    this.handle?.stop();
    this.handle = undefined;
    this.removeAttribute('connected');
  }

  private restart(): void {
    this.stop();
    const get = (name: string): string | undefined => this.getAttribute(name) ?? undefined;
    const config: ListenerConfig = {
      channel: get('channel'),
      resource: get('resource'),
      event: get('event'),
      where: get('where'),
      fire: get('fire') ?? 'rtm-message',
      eventTarget: this,
      set: get('set'),
      append: this.hasAttribute('append'),
      refresh: get('refresh'),
      notify: get('notify'),
      call: get('call'),
      once: this.hasAttribute('once'),
      debounce: Number(get('debounce') ?? 0),
      ignoreOwn: this.hasAttribute('ignore-own'),
      onState: (state) => this.toggleAttribute('connected', state === 'subscribed'),
    };
    try {
      this.handle = listen(config);
    } catch (error) {
      reportError(this, error);
    }
  }
}

/** Reads a Broadcast's settings from `data-rtm-*` attributes (`channel`, `event`, `items`, `form`, `payload`, `build`, `timeout`). */
export function broadcastConfigOf(element: HTMLElement): BroadcastConfig {
  const { rtmChannel, rtmEvent, rtmItems, rtmForm, rtmPayload, rtmBuild, rtmTimeout } = element.dataset;
  return {
    channel: rtmChannel!,
    event: rtmEvent,
    items: rtmItems,
    form: rtmForm ?? (element instanceof HTMLFormElement ? element : undefined),
    payload: rtmPayload,
    build: rtmBuild,
    timeout: rtmTimeout ? Number(rtmTimeout) : undefined,
  };
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
  if (!customElements.get('rtm-connection')) customElements.define('rtm-connection', RtmConnectionElement);
  if (!customElements.get('rtm-listener')) customElements.define('rtm-listener', RtmListenerElement);
  const onEvent = (event: Event): void => {
    const element = (event.target as Element | null)?.closest?.<HTMLElement>('[data-rtm-broadcast]');
    if (!element || (element.dataset.rtmBroadcast || 'click') !== event.type || widgetEvents.has(event)) return;
    if (event.type === 'submit') event.preventDefault();
    void send(element, broadcastConfigOf(element));
  };
  // One capturing listener per event type in use, so any event works, including ones that do not bubble.
  const scan = (): void => {
    for (const element of document.querySelectorAll<HTMLElement>('[data-rtm-broadcast]')) {
      const type = element.dataset.rtmBroadcast || 'click';
      if (!bound.has(type)) {
        bound.add(type);
        document.addEventListener(type, onEvent, true);
      }
    }
  };
  scan();
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-rtm-broadcast'] });
}

function reportError(element: HTMLElement, error: unknown): void {
  fire(element, 'rtm-error', { error });
  console.error('[rtm-kit]', error);
}
