import { describe, expect, it } from 'vitest';
import { BROADCAST, kebab, LISTENER, readSettings } from './settings.js';

describe('readSettings', () => {
  it('reads each setting of a table by its key and APEX number: text as is, numbers converted, flags present or not, unset left out', () => {
    const asked: string[] = [];
    const given: Record<string, string> = { channel: 'c', debounce: '250', 'ignore-own': '', where: 'status=DONE' };
    const config = readSettings(LISTENER, (key, apex) => {
      asked.push(`${kebab(key)}/${apex}`);
      return given[kebab(key)] ?? null;
    });
    expect(config).toEqual({ channel: 'c', debounce: 250, ignoreOwn: true, where: 'status=DONE', fire: 'rtm-message', append: false, once: false, serverOnly: false });
    expect(asked).toEqual([
      'channel/02', 'resource/14', 'event/03', 'where/15', 'fire/04', 'set/07', 'refresh/08', 'notify/09', 'call/10', 'debounce/11',
      'append/', 'once/', 'ignore-own/', 'server-only/',
    ]);
  });

  it('takes an empty text as given, not as the default', () => {
    expect(readSettings<{ fire?: string }>(LISTENER, (key) => (key === 'fire' ? '' : null)).fire).toBe('');
  });

  it('leaves an empty number unset, and keeps empty text', () => {
    expect(readSettings(BROADCAST, (key) => (key === 'timeout' || key === 'payload' ? '' : undefined))).toEqual({ payload: '' });
  });
});
