/** Small DOM helpers shared by the widgets: finding declared elements and writing text into them. */
import { toText } from './parse.js';

/**
 * The `change` events the widgets raise themselves when a Listener writes a
 * field. Broadcast triggers ignore them, so a field that both receives and
 * broadcasts cannot bounce messages between pages forever.
 */
export const widgetEvents = new WeakSet<Event>();

/** Finds an element by CSS selector, or by id or name when given a bare name such as `P10_MESSAGE`. */
export function findElement(ref: string | Element): Element | null {
  if (typeof ref !== 'string') return ref;
  const name = ref.trim();
  if (/^[a-z_][\w-]*$/i.test(name)) return document.getElementById(name) ?? document.getElementsByName(name)[0] ?? null;
  return document.querySelector(name);
}

/**
 * Writes `value` into an element: form fields get `.value` (and a `change`
 * event), anything else gets text, never HTML, so a payload cannot inject
 * markup. With `append`, a new line is added instead.
 */
export function writeValue(element: Element, value: unknown, append?: boolean): void {
  const text = toText(value);
  if (element.matches('input,textarea,select')) {
    (element as HTMLInputElement).value = text;
    const change = new Event('change', { bubbles: true });
    widgetEvents.add(change);
    element.dispatchEvent(change);
    return;
  }
  if (!append) {
    element.textContent = text;
    return;
  }
  const line = document.createElement(element.matches('ul,ol') ? 'li' : 'div');
  line.textContent = text;
  element.append(line);
}
