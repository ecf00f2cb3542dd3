/**
 * A value as error texts show it: JSON, strings cut to `max` characters, so
 * that a megabyte-long name does not become a megabyte-long error.
 */
export function quote(value: unknown, max = 100): string {
  return JSON.stringify(typeof value === 'string' ? value.slice(0, max) : (value ?? null)) ?? 'null';
}
