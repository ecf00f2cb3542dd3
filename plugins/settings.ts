/**
 * The Listener's and the Broadcast's settings as tables, so the HTML forms
 * (`<rtm-listener>` attributes, `data-rtm-*`) and the APEX forms
 * (`attributeNN` of a dynamic action) read them with one reader instead of
 * code per setting. An entry is the JS config key, then its APEX attribute
 * number if it has one; `#` marks a number, `?` a flag (present or not).
 * The HTML attribute is the key in kebab case (`ignoreOwn` → `ignore-own`);
 * an APEX flag is an option of the Listener's attribute 12 (`IGNORE_OWN`).
 */

/** `<rtm-connection>` settings. */
export const CONNECTION = 'url tokenUrl token shared?';

/** Listener settings; APEX numbers as in RTM_LISTENER_DA (docs/widgets.md lists each). */
export const LISTENER = 'channel2 resource14 event3 where15 fire4 set7 refresh8 notify9 call10 debounce#11 append? once? ignoreOwn? serverOnly?';

/** Broadcast settings; APEX numbers as in RTM_BROADCAST_DA. */
export const BROADCAST = 'channel3 event4 items8 form payload9 build10 timeout#11';

/** `ignoreOwn` → `ignore-own`. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * Builds a config from a table: `text(key, apexNumber)` gives each setting's text, null or undefined when not set
 * (for a flag: any text, even empty, when set). Numbers are converted, an empty one is unset; unset settings are left out.
 */
export function readSettings<T>(table: string, text: (key: string, apex: string) => string | null | undefined): T {
  const config: Record<string, string | number | boolean> = {};
  for (const [, key, kind, apex] of table.matchAll(/(\w+?)([#?]?)(\d*)(?: |$)/g)) {
    const value = text(key!, apex!.padStart(2, '0'));
    if (kind === '?') config[key!] = value != null;
    else if (kind ? value : value != null) config[key!] = kind ? Number(value) : value!;
  }
  return config as T;
}
