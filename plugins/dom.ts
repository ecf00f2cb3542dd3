/**
 * Small DOM helpers shared by the widgets: finding declared elements,
 * reading and writing their values, and picking fields out of payloads.
 */

/** Finds an element by CSS selector, or by id or name when given a bare name such as `P10_MESSAGE`. */
export function findElement(ref: string | Element): Element | null {
  if (typeof ref !== 'string') return ref;
  const name = ref.trim();
  if (/^[A-Za-z_][\w-]*$/.test(name)) return document.getElementById(name) ?? document.getElementsByName(name)[0] ?? null;
  return document.querySelector(name);
}

/** Reads an input-like element's value (checkboxes give a boolean), or its text. */
export function readValue(element: Element): string | boolean {
  if (element instanceof HTMLInputElement && (element.type === 'checkbox' || element.type === 'radio')) return element.checked;
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return element.value;
  return element.textContent ?? '';
}

/**
 * Writes `value` into an element: form fields get `.value`, anything else
 * gets text (never HTML, so a payload cannot inject markup). With `append`,
 * a new line is added to the element instead.
 */
export function writeValue(element: Element, value: unknown, append = false): void {
  const text = toText(value);
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) {
    element.value = text;
    element.dispatchEvent(new Event('change', { bubbles: true }));
    return;
  }
  if (!append) {
    element.textContent = text;
    return;
  }
  const line = document.createElement(element instanceof HTMLUListElement || element instanceof HTMLOListElement ? 'li' : 'div');
  line.textContent = text;
  element.append(line);
}

/** Picks a field out of a payload by a dotted path such as `value`, `payload.value` or `order.id`. */
export function pick(payload: unknown, path: string | undefined): unknown {
  if (!path) return payload;
  const parts = path.split('.').filter(Boolean);
  if (parts[0] === 'payload') parts.shift();
  let current: unknown = payload;
  for (const part of parts) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
