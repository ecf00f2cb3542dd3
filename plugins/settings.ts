/**
 * The Listener's and the Broadcast's settings as tables, so the HTML forms
 * (`<rtm-listener>` attributes, `data-rtm-*`) and the APEX forms
 * (`attributeNN` of a dynamic action) read them with one reader instead of
 * code per setting. An entry is the JS config key, then its APEX attribute
 * number if it has one; `#` marks a number, `?` a flag (present or not), `=` the default.
 * The HTML attribute is the key in kebab case (`ignoreOwn` → `ignore-own`);
 * an APEX flag is an option of the Listener's attribute 12 (`IGNORE_OWN`).
 */

/** `<rtm-connection>` settings. */
export const CONNECTION = 'url tokenUrl token shared?';

/** Listener settings; APEX numbers as in RTM_LISTENER_DA (docs/widgets.md lists each). */
export const LISTENER = 'channel02 resource14 event03 where15 fire04=rtm-message set07 refresh08 notify09 call10 debounce#11 append? once? ignoreOwn? serverOnly?';

/** Broadcast settings; APEX numbers as in RTM_BROADCAST_DA. */
export const BROADCAST = 'channel03 event04 items08 form payload09 build10 timeout#11';

/** `ignoreOwn` → `ignore-own`. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * Builds a config from a table: `text(key, apexNumber)` gives each setting's text, null or undefined when not set
 * (for a flag: any text, even empty, when set; `apex` is empty when the setting has no APEX attribute). Numbers are converted, an empty one is unset; unset settings are left out.
 */
export function readSettings<T>(table: string, text: (key: string, apex: string) => string | null | undefined): T {
  const config: Record<string, string | number | boolean> = {};
  for (const [, key, kind, apex, fallback] of table.matchAll(/(\w+?)([#?]?)(\d*)(?:=(\S+))?(?: |$)/g)) {
    const value = text(key!, apex!) ?? fallback;
    if (kind === '?') config[key!] = value != null;
    else if (kind ? value : value != null) config[key!] = kind ? Number(value) : value!;
  }
  return config as T;
}
