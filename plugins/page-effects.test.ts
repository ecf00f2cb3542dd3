// @vitest-environment happy-dom
// The widgets' effects on a page, in a DOM (happy-dom): text never becomes markup, APEX's API is used when the page
// has it, a cancelled `fire` skips the other actions, and a Broadcast trigger is disabled only while it sends.
import { afterEach, describe, expect, it } from 'vitest';
import { RtmError } from '../client/index.js';
import { buildPayload, send } from './broadcast.js';
import { fire, getItem, notify, refresh, setItem } from './page-effects.js';

afterEach(() => {
  document.body.innerHTML = '';
  delete (globalThis as { apex?: unknown }).apex;
});

describe('page effects without APEX', () => {
  it('writes values as text, never as markup, and appends lines to lists', () => {
    document.body.innerHTML = '<div id="out"></div><ul id="log"></ul><input id="P1_NAME">';
    setItem('out', '<img src=x onerror=alert(1)>');
    expect(document.getElementById('out')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(document.querySelector('#out img')).toBeNull();
    setItem('#log', 'one', true);
    setItem('#log', { two: 2 }, true);
    expect([...document.querySelectorAll('#log > li')].map((li) => li.textContent)).toEqual(['one', '{"two":2}']);
    setItem('#log', '<b>three</b>', true);
    expect(document.querySelector('#log > li:last-child')!.textContent).toBe('<b>three</b>');
    expect(document.querySelector('#log b')).toBeNull();
    setItem('P1_NAME', 'Ada');
    expect(getItem('P1_NAME')).toBe('Ada');
    expect(getItem('nothing-here')).toBeUndefined();
  });

  it('shows notifications as text in a status toast', () => {
    notify('<b>New</b> order');
    const toast = document.querySelector('#rtm-notifications > [role=status]')!;
    expect(toast.textContent).toBe('<b>New</b> order');
    expect(toast.querySelector('b')).toBeNull();
  });

  it('fires a bubbling, cancelable CustomEvent with the data as detail, and reports whether it was cancelled', () => {
    document.body.innerHTML = '<section id="orders"></section>';
    const seen: unknown[] = [];
    document.addEventListener('rtm-refresh', (event) => seen.push((event as CustomEvent).detail));
    refresh('orders', { id: 1 });
    expect(seen).toEqual([{ id: 1 }]);
    document.addEventListener('stop-here', (event) => event.preventDefault());
    expect(fire(document.body, 'stop-here', {})).toBe(true);
    expect(fire(document.body, 'go-on', {})).toBe(false);
  });
});

describe('page effects on an APEX page', () => {
  it('uses apex.item (change suppressed), apex.region, apex.event.trigger and an escaped apex.message', () => {
    const calls: unknown[] = [];
    (globalThis as { apex?: unknown }).apex = {
      item: (name: string) => ({ node: document.body, setValue: (...args: unknown[]) => calls.push(['setValue', name, ...args]), getValue: () => `value of ${name}` }),
      region: (id: string) => ({ refresh: () => calls.push(['refresh', id]) }),
      event: { trigger: (_: unknown, name: string, data: unknown) => (calls.push(['trigger', name, data]), name === 'cancel') },
      message: { showPageSuccess: (html: string) => calls.push(['message', html]) },
    };
    setItem('P1_X', { a: 1 });
    setItem('P1_LIST', ['a', 2]);
    refresh('orders', {});
    expect(fire(document.body, 'cancel', { n: 1 })).toBe(true);
    notify('<b>&"');
    expect(getItem('P1_X')).toBe('value of P1_X');
    expect(calls).toEqual([
      ['setValue', 'P1_X', '{"a":1}', null, true],
      ['setValue', 'P1_LIST', ['a', '2'], null, true],
      ['refresh', 'orders'],
      ['trigger', 'cancel', { n: 1 }],
      ['message', '&#60;b&#62;&#38;&#34;'],
    ]);
  });
});

describe('Broadcast payloads and triggers', () => {
  it('merges the static payload, a form, items and build, and names what is missing', () => {
    document.body.innerHTML = '<form id="f"><input name="qty" value="3"></form><input id="P1_NOTE" value="hi">';
    (globalThis as Record<string, unknown>).extra = () => ({ built: true });
    expect(buildPayload({ channel: 'c', payload: '{"kind":"order"}', form: '#f', items: 'P1_NOTE', build: 'extra' })).toEqual({ kind: 'order', qty: '3', P1_NOTE: 'hi', built: true });
    expect(() => buildPayload({ channel: 'c', items: 'P1_GONE' })).toThrow(expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining('P1_GONE') }));
    expect(() => buildPayload({ channel: 'c', payload: '{bad' })).toThrow(RtmError);
    delete (globalThis as Record<string, unknown>).extra;
  });

  it('disables the trigger while sending, re-enables it, and fires rtm-sent or rtm-send-error', async () => {
    document.body.innerHTML = '<button id="b">Send</button>';
    const button = document.getElementById('b') as HTMLButtonElement;
    const events: string[] = [];
    button.addEventListener('rtm-sent', () => events.push('sent'));
    button.addEventListener('rtm-send-error', (event) => events.push(`error:${(event as CustomEvent).detail.error.code}`));
    let during: boolean | undefined;
    expect(await send(button, { channel: 'c' }, async () => ((during = button.disabled), {}))).toBe(true);
    expect(during).toBe(true);
    expect(button.disabled).toBe(false);
    expect(await send(button, { channel: 'c' }, () => Promise.reject(new RtmError('timeout', 'slow')))).toBe(false);
    expect(button.disabled).toBe(false);
    expect(events).toEqual(['sent', 'error:timeout']);
  });
});
