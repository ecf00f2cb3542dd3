import { configure, pageClient } from './connection.js';
import { send, type BroadcastConfig } from './broadcast.js';
import { listen, type ListenerHandle } from './listener.js';

// Importing the widgets must not fail where there is no DOM (server-side rendering, Node).
const Base: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (class {} as typeof HTMLElement) : HTMLElement;

/**
 * `<rtm-connection url="/rtc" token-url="/api/token">`: sets the page's
 * connection (the same as calling `configure`). Place it anywhere; widgets
 * declared before it wait for it.
 */
export class RtmConnectionElement extends Base {
  connectedCallback(): void {
    const url = this.getAttribute('url');
    if (!url) return reportError(this, 'rtm-connection needs a url attribute');
    try {
      configure({ url, tokenUrl: this.getAttribute('token-url') ?? undefined, token: this.getAttribute('token') ?? undefined });
    } catch (error) {
      reportError(this, error);
    }
  }
}

/**
 * `<rtm-listener channel="test" event="ping" target="#log" value="P10_MESSAGE" append fire="rtm-message">`:
 * listens while it is in the document. Each message fires `rtm-message` (or
 * the `fire` name) on the element, bubbling, with the message as `detail`,
 * and is written into `target` when one is declared. The `connected`
 * attribute mirrors the connection, for CSS.
 */
export class RtmListenerElement extends Base {
  static readonly observedAttributes = ['channel', 'event', 'target', 'value', 'append', 'fire'];
  private handle: ListenerHandle | undefined;
  private stopState: (() => void) | undefined;
  private live = false;

  connectedCallback(): void {
    this.live = true;
    this.start();
    void pageClient().then((client) => {
      if (!this.live || this.stopState) return;
      const reflect = (): void => {
        this.toggleAttribute('connected', client.state === 'open');
      };
      reflect();
      this.stopState = client.on('state', reflect);
    });
  }

  disconnectedCallback(): void {
    this.live = false;
    this.handle?.stop();
    this.handle = undefined;
    this.stopState?.();
    this.stopState = undefined;
  }

  attributeChangedCallback(): void {
    if (!this.live) return;
    this.handle?.stop();
    this.start();
  }

  private start(): void {
    const channel = this.getAttribute('channel');
    if (!channel) return reportError(this, 'rtm-listener needs a channel attribute');
    try {
      this.handle = listen({
        channel,
        event: this.getAttribute('event') ?? undefined,
        target: this.getAttribute('target') ?? undefined,
        value: this.getAttribute('value') ?? undefined,
        append: this.hasAttribute('append'),
        fire: this.getAttribute('fire') ?? 'rtm-message',
        eventTarget: this,
      });
    } catch (error) {
      reportError(this, error);
    }
  }
}

/** Reads a Broadcast's settings from `data-rtm-*` attributes. */
export function broadcastConfigOf(element: HTMLElement): BroadcastConfig {
  const { rtmChannel, rtmEvent, rtmItems, rtmPayload } = element.dataset;
  if (!rtmChannel) throw new Error('data-rtm-broadcast needs data-rtm-channel');
  return {
    channel: rtmChannel,
    event: rtmEvent ?? null,
    items: rtmItems ? rtmItems.split(/[\s,]+/).filter(Boolean) : undefined,
    payload: rtmPayload ? JSON.parse(rtmPayload) : undefined,
  };
}

let started = false;

/**
 * Activates the HTML forms: defines `<rtm-connection>` and `<rtm-listener>`
 * and makes every `[data-rtm-broadcast]` element (present or added later)
 * broadcast on its trigger event (the attribute's value; default `click`).
 * The script-tag bundle calls it by itself.
 */
export function start(): void {
  if (started || typeof document === 'undefined') return;
  started = true;
  if (!customElements.get('rtm-connection')) customElements.define('rtm-connection', RtmConnectionElement);
  if (!customElements.get('rtm-listener')) customElements.define('rtm-listener', RtmListenerElement);
  for (const type of ['click', 'change', 'submit']) {
    document.addEventListener(type, (event) => {
      const element = (event.target as Element | null)?.closest?.<HTMLElement>('[data-rtm-broadcast]');
      if (!element || (element.dataset.rtmBroadcast || 'click') !== type) return;
      if (type === 'submit') event.preventDefault();
      try {
        void send(element, broadcastConfigOf(element));
      } catch (error) {
        element.dispatchEvent(new CustomEvent('rtm-send-error', { detail: { error }, bubbles: true }));
      }
    });
  }
}

function reportError(element: HTMLElement, error: unknown): void {
  element.dispatchEvent(new CustomEvent('rtm-error', { detail: { error }, bubbles: true }));
  console.error('[rtm-kit]', error);
}
