import { RtmError } from './client-api.js';

/**
 * The widgets' `bad_argument` error: it names the setting (JS key, HTML attribute or APEX attribute) and the value
 * that is wrong, as `<setting>: "<value>"` or `<setting>: missing`. Short on purpose, as the message is in every
 * bundle: docs/widgets.md ("Errors") says what each setting needs.
 */
export const bad = (setting: string, value?: unknown, cause?: unknown): RtmError =>
  new RtmError('bad_argument', `${setting}: ${value == null || value === '' ? 'missing' : typeof value === 'string' ? `"${value}"` : String(value)}`, undefined, { cause });
