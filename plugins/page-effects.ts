/**
 * The effects widgets have on a page. Each goes through Oracle APEX's
 * documented JS API when the page has it (`apex.item`, `apex.region`,
 * `apex.event.trigger`, `apex.message`), and through the plain DOM otherwise.
 */
import { findElement, writeValue } from './dom.js';
import { isObject, toText } from './parse.js';

/** The part of APEX's `apex` namespace the widgets use. */
export interface ApexNamespace {
  item?(name: string): { node: Element | false | null | undefined; setValue(value: unknown, display?: string | null, suppressChange?: boolean): void; getValue(): unknown };
  region?(staticId: string): { refresh(): void } | null | undefined;
  event?: { trigger(target: EventTarget | string, name: string, data?: unknown): boolean };
  message?: { showPageSuccess(html: string): void };
  da?: { resume(callback: unknown, errorOccurred: boolean): void };
  server?: { plugin(ajaxIdentifier: string, data?: object, options?: object): PromiseLike<unknown> };
}

/** The page's `apex` namespace, when it is an APEX page. */
export const apexOf = (): ApexNamespace | undefined => (globalThis as { apex?: ApexNamespace }).apex;

/**
 * Fires a named event with `data`; never throws. On an APEX page this is
 * `apex.event.trigger`, which DAs (`this.data`) and jQuery handlers
 * (`(event, data)`) receive; elsewhere a bubbling `CustomEvent` with `data` as
 * `detail`. Not both: a native event also reaches jQuery handlers, so every
 * DA would run twice, once without its data. Returns true when a handler
 * cancelled it (`apex.da.cancel()` or `preventDefault()`).
 */
export function fire(target: EventTarget, name: string, data: object): boolean {
  const trigger = apexOf()?.event?.trigger;
  if (!trigger) return !target.dispatchEvent(new CustomEvent(name, { detail: data, bubbles: true, cancelable: true }));
  try {
    return !!trigger(target, name, data);
  } catch (error) {
    // jQuery lets a handler's exception out, where dispatchEvent would report it and go on. Do as dispatchEvent
    // does: a page's handler must not turn a delivered message into a failed send, or leave a DA chain unresumed.
    reportError(error);
    return false;
  }
}

/**
 * Reports a widget's problem where the page can act on it, as `rtm-error` (data: `{ error }`) on `target`, and in the
 * browser console, where a developer looks first.
 */
export function report(target: EventTarget, error: unknown): void {
  fire(target, 'rtm-error', { error });
  console.warn('rtm-kit:', error);
}

/**
 * Writes `value` into a page item (APEX) or an element found by id, name or selector. An APEX item is set with its
 * change event suppressed: a Broadcast on Change of that item would otherwise send the value on, and two pages would
 * bounce it between them for ever. Objects are written as JSON text; a list of plain values stays a list (the
 * values of a multi-value item).
 */
export function setItem(name: string, value: unknown, append?: boolean): void {
  const [item, element] = itemOf(name);
  if (item) item.setValue(Array.isArray(value) && !value.some(isObject) ? value.map(toText) : toText(value), null, true);
  else if (element) writeValue(element, value, append);
}

/** Reads a page item (APEX) or an input's value; undefined when there is no such item. */
export function getItem(name: string): unknown {
  const [item, element] = itemOf(name);
  if (item) return item.getValue();
  if (!element) return undefined;
  if (element.matches('input[type=checkbox],input[type=radio]')) return (element as HTMLInputElement).checked;
  return 'value' in element ? (element as HTMLInputElement).value : element.textContent;
}

/** The APEX item of that name, when the page has one; else the element found by id, name or selector. */
function itemOf(name: string): [ReturnType<NonNullable<ApexNamespace['item']>>?, (Element | null)?] {
  const item = apexOf()?.item?.(name);
  return item?.node ? [item] : [, findElement(name)];
}

/** Refreshes an APEX region, or fires `rtm-refresh` (detail: the message) on the element with that id. */
export function refresh(id: string, message: object): void {
  const region = apexOf()?.region?.(id);
  if (region) region.refresh();
  else fire(document.getElementById(id) ?? document, 'rtm-refresh', message);
}

/**
 * Shows `text` as a notification, always as text: APEX's success message
 * takes HTML, so it gets the text escaped; elsewhere a toast gets it as
 * `textContent`.
 */
export function notify(text: string): void {
  const message = apexOf()?.message;
  if (message) return message.showPageSuccess(text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));
  let box = document.getElementById('rtm-notifications');
  if (!box) {
    box = document.createElement('div');
    box.id = 'rtm-notifications';
    box.style.cssText = 'position:fixed;top:1rem;right:1rem;z-index:9999';
    document.body.append(box);
  }
  const toast = document.createElement('div');
  // Looks are the page's: style `#rtm-notifications > [role=status]`.
  toast.setAttribute('role', 'status');
  toast.textContent = text;
  box.append(toast);
  setTimeout(() => toast.remove(), 6000);
}

/** Finds a global function by a dotted name such as `myApp.onOrder`. */
export function globalFunction(name: string): ((...args: unknown[]) => unknown) | undefined {
  const value = name.split('.').reduce<unknown>((scope, key) => (scope as Record<string, unknown> | undefined)?.[key], globalThis);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown) : undefined;
}
