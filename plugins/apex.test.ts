// @vitest-environment happy-dom
// The APEX dynamic-action functions as da.js calls them (`fn.call(context)`), on a page with a stand-in for APEX's
// documented JS API (apex.item, apex.server.plugin, apex.event.trigger, apex.da.resume) and a real (scripted)
// RTC server. Each test loads fresh modules, since the page connection is page-wide state.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { RtmClient } from '../client/index.js';
import { fakeJwt, startScriptedServer, type ScriptedServer } from '../client/scripted-server.test-util.js';
import type { DaContext } from './apex.js';

type Apex = typeof import('./apex.js');

let server: ScriptedServer;
let base: string;
const original = globalThis.WebSocket;
beforeAll(async () => {
  server = await startScriptedServer();
  base = server.url.replace('ws:', 'http:').replace('/rtc', '');
  globalThis.WebSocket = WebSocket as never;
});
afterAll(async () => {
  globalThis.WebSocket = original;
  await server.close();
});

/** What the stand-in APEX saw and holds. */
interface FakeApex {
  items: Map<string, { value: unknown; suppressed?: boolean }>;
  ajax: { id: string; data: Record<string, unknown> }[];
  triggered: { target: EventTarget | string; name: string; data: any }[];
  resumed: [unknown, boolean][];
  /** Answers the plug-in's Ajax callback (x01 = 'token' or 'send'). */
  answer: (data: Record<string, unknown>) => Promise<unknown>;
}

let apex: Apex;
let page: FakeApex;
let client: RtmClient | undefined;
beforeEach(async () => {
  vi.resetModules();
  apex = await import('./apex.js');
  page = {
    items: new Map(),
    ajax: [],
    triggered: [],
    resumed: [],
    answer: async (data) => (data.x01 === 'token' ? { token: fakeJwt(Math.floor(Date.now() / 1000) + 3600, 'APEX_USER') } : { status: 'OK' }),
  };
  (globalThis as { apex?: unknown }).apex = {
    item: (name: string) => ({
      node: page.items.has(name) ? document.body : null,
      setValue: (value: unknown, _display: unknown, suppressChange: boolean) => page.items.set(name, { value, suppressed: suppressChange }),
      getValue: () => page.items.get(name)?.value,
    }),
    server: {
      plugin: (id: string, data: Record<string, unknown>) => {
        page.ajax.push({ id, data });
        return page.answer(data);
      },
    },
    event: {
      trigger: (target: EventTarget | string, name: string, data: unknown) => {
        page.triggered.push({ target, name, data });
        return false;
      },
    },
    da: { resume: (callback: unknown, error: boolean) => void page.resumed.push([callback, error]) },
  };
});
afterEach(async () => {
  client?.close();
  client = undefined;
  delete (globalThis as { apex?: unknown }).apex;
  document.body.innerHTML = '';
});

/** The page's client once a DA configured it. */
async function pageClient(): Promise<RtmClient> {
  const { pageClient } = await import('./connection.js');
  client = await pageClient();
  return client;
}

const context = (attributes: Record<string, string | null>, extra: Partial<DaContext['action']> = {}): DaContext => ({
  action: { ajaxIdentifier: 'AJAX-1', ...attributes, ...extra },
  triggeringElement: document.body,
});

let channels = 0;
const fresh = (): string => `apex-room-${++channels}`;
const subscribed = (channel: string) => server.commands('subscribe').filter((c) => c.arguments.resource.name === channel).length;
const fired = (name: string) => page.triggered.filter((t) => t.name === name);

function push(channel: string, payload: unknown, eventName: string | null, modifier: string): void {
  for (const peer of server.peers) {
    peer.send({
      type: 'event',
      data: { action: 'published', resource: { type: 'channel', name: channel }, modifier: { id: modifier }, timestamp: new Date().toISOString(), data: { eventName, payload } },
    });
  }
}

describe('the Listener DA', () => {
  it("connects with the plug-in's token on first firing, sets items and fires its APEX event; firing it again replaces it", async () => {
    const channel = fresh();
    page.items.set('P1_TEXT', { value: '' });
    const da = context({ attribute01: base, attribute02: channel, attribute03: 'ping', attribute07: 'P1_TEXT=payload.text' });
    apex.listener.call(da);
    const c = await pageClient();
    await server.until(() => subscribed(channel) === 1);
    expect(page.ajax[0]).toEqual({ id: 'AJAX-1', data: { x01: 'token' } });
    expect(server.peers.at(-1)!.token).toMatch(/^ey/);
    push(channel, { text: 'hello' }, 'ping', 'someone');
    push(channel, { text: 'other event' }, 'pong', 'someone');
    await server.until(() => fired('rtm-message').length === 1);
    expect(page.items.get('P1_TEXT')).toEqual({ value: 'hello', suppressed: true });
    expect(fired('rtm-message')[0]).toMatchObject({ target: document.body, data: { channel, eventName: 'ping', payload: { text: 'hello' } } });
    const listeners = c.stats().listeners;
    apex.listener.call(da);
    await c.request('ping');
    expect(c.stats().listeners).toBe(listeners);
    push(channel, { text: 'again' }, 'ping', 'someone');
    await server.until(() => fired('rtm-message').length >= 2);
    await c.request('ping');
    expect(fired('rtm-message')).toHaveLength(2);
    expect(page.ajax.filter((a) => a.data.x01 === 'token')).toHaveLength(1);
  });

  it('reads the options of attribute 12: ONCE stops after the first match, SERVER_ONLY skips what page users published', async () => {
    const channel = fresh();
    apex.listener.call(context({ attribute01: base, attribute02: channel, attribute12: 'ONCE:SERVER_ONLY' }));
    const c = await pageClient();
    await server.until(() => subscribed(channel) === 1);
    push(channel, 'a page user', null, 'someone');
    push(channel, 'first from the server', null, 'api:backend');
    push(channel, 'second from the server', null, 'api:backend');
    await server.until(() => fired('rtm-message').length === 1);
    await c.request('ping');
    expect(fired('rtm-message').map((f) => f.data.payload)).toEqual(['first from the server']);
  });

  it('sets the item a {itemName, value} message names, only when the server published it and it is an existing APEX item, unless attribute 13 is OFF', async () => {
    const channel = fresh();
    page.items.set('P1_NAMED', { value: 'before' });
    page.items.set('P1 SPACED', { value: 'before' }); // APEX would never name an item so
    document.body.innerHTML = '<span id="P1_PLAIN">before</span>'; // an element, not an APEX item
    apex.listener.call(context({ attribute01: base, attribute02: channel }));
    const off = fresh();
    apex.listener.call(context({ attribute01: base, attribute02: off, attribute13: 'OFF' }));
    const c = await pageClient();
    await server.until(() => subscribed(channel) === 1 && subscribed(off) === 1);
    push(channel, { itemName: 'P1_NAMED', value: 'from a page' }, null, 'some-user');
    push(channel, { itemName: '#P1_NAMED', value: 'selector' }, null, 'api:default');
    push(channel, { itemName: 'P1_MISSING', value: 'x' }, null, 'api:default');
    push(channel, { itemName: 'P1 SPACED', value: 'x' }, null, 'api:default');
    push(channel, { itemName: 'P1_PLAIN', value: 'x' }, null, 'api:default');
    push(channel, { itemName: 'P1_NAMED', value: '' }, null, 'api:default');
    push(off, { itemName: 'P1_NAMED', value: 'with OFF' }, null, 'api:default');
    await server.until(() => fired('rtm-message').length === 7);
    await c.request('ping');
    expect(page.items.get('P1_NAMED')!.value).toBe('before');
    expect(page.items.get('P1 SPACED')!.value).toBe('before');
    expect(page.items.has('P1_MISSING')).toBe(false);
    expect(document.getElementById('P1_PLAIN')!.textContent).toBe('before');
    push(channel, { itemName: 'P1_NAMED', value: 'from the server' }, null, 'api:default');
    await server.until(() => fired('rtm-message').length === 8);
    expect(page.items.get('P1_NAMED')).toEqual({ value: 'from the server', suppressed: true });
  });

  it('never throws: a Listener without the Ajax callback, or without a channel, fires rtm-error', async () => {
    expect(() => apex.listener.call(context({ attribute01: base, attribute02: fresh() }, { ajaxIdentifier: null }))).not.toThrow();
    expect(fired('rtm-error')[0]!.data.error).toMatchObject({ code: 'bad_argument', message: expect.stringContaining('ajaxIdentifier: missing') });
    expect(() => apex.listener.call(context({ attribute01: base, attribute02: null }))).not.toThrow();
    expect(fired('rtm-error')[1]!.data.error).toMatchObject({ code: 'bad_argument', message: expect.stringContaining('channel: missing') });
    await pageClient();
  });

  for (const [what, answer, code] of [
    ['an ended session (401)', () => Promise.reject({ status: 401 }), 'unauthorized'],
    ['an answer without a token', () => Promise.resolve({ error: 'unauthorized' }), 'unauthorized'],
    ['a network failure', () => Promise.reject({ status: 0 }), 'token'],
  ] as const) {
    it(`reports ${what} from the token callback as ${code}`, async () => {
      page.answer = answer;
      apex.listener.call(context({ attribute01: base, attribute02: fresh() }));
      const c = await pageClient();
      const errors: unknown[] = [];
      c.on('error', (error) => errors.push(error.code));
      await server.until(() => errors.length > 0);
      expect(errors[0]).toBe(code);
      expect(c.state === 'closed').toBe(code === 'unauthorized');
    });
  }
});

describe('the Broadcast DA', () => {
  const broadcastContext = (attributes: Record<string, string | null>, extra: Partial<DaContext['action']> = {}): DaContext => {
    const button = document.createElement('button');
    document.body.append(button);
    return { ...context(attributes, { waitForResult: true, ...extra }), triggeringElement: button, resumeCallback: 'resume-me' };
  };

  it('sends through the Ajax callback by default: the payload and the payload item, and resumes the chain without error', async () => {
    page.items.set('P1_ITEM', { value: ['red', 'green'] }); // a multi-value item
    page.items.set('P1_A', { value: 'a' });
    const da = broadcastContext({ attribute03: 'orders', attribute04: 'created', attribute05: 'P1_ITEM', attribute08: 'P1_A', attribute09: '{"k": 1}' });
    apex.broadcast.call(da);
    await server.until(() => page.resumed.length === 1);
    expect(page.ajax).toEqual([{ id: 'AJAX-1', data: { x01: 'send', x02: JSON.stringify({ k: 1, P1_A: 'a' }), x03: '["red","green"]' } }]);
    expect(page.resumed).toEqual([['resume-me', false]]);
    expect(fired('rtm-sent')[0]).toMatchObject({ target: da.triggeringElement, data: { channel: 'orders', event: 'created', response: { status: 'OK' } } });
  });

  for (const [onError, raised, warned] of [
    ['RAISE', true, false],
    ['LOG', false, true],
    ['IGNORE', false, false],
  ] as const) {
    it(`On Error ${onError}: a refusal fires rtm-send-error, resumes the chain ${raised ? 'with' : 'without'} an error, ${warned ? 'and logs it' : 'logs nothing'}`, async () => {
      page.answer = async () => ({ status: 'ERROR', message: 'no rights' });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      apex.broadcast.call(broadcastContext({ attribute03: 'orders', attribute06: onError }));
      await server.until(() => page.resumed.length === 1);
      expect(page.resumed).toEqual([['resume-me', raised]]);
      expect(fired('rtm-send-error')[0]!.data.error).toMatchObject({ message: expect.stringContaining('not published: no rights') });
      expect(warn.mock.calls.length > 0).toBe(warned);
      warn.mockRestore();
    });
  }

  for (const [what, answer, code] of [
    ['an Ajax failure with a status', () => Promise.reject({ status: 500 }), 1],
    ['an Ajax failure without one (network)', () => Promise.reject({ status: 0 }), 'disconnected'],
    ['no answer before the timeout', () => new Promise(() => {}), 'timeout'],
  ] as const) {
    it(`reports ${what} as ${code}`, async () => {
      page.answer = answer;
      apex.broadcast.call(broadcastContext({ attribute03: 'orders', attribute06: 'IGNORE', attribute11: '50' }));
      await server.until(() => page.resumed.length === 1);
      expect(fired('rtm-send-error')[0]!.data.error).toMatchObject({ code });
    });
  }

  it("SOCKET: publishes over the page's connection with {itemName, value} of the payload item", async () => {
    const channel = fresh();
    page.items.set('P1_ITEM', { value: 'typed' });
    apex.broadcast.call(broadcastContext({ attribute02: base, attribute03: channel, attribute04: 'note', attribute05: 'P1_ITEM', attribute07: 'SOCKET', attribute09: '{"k": 2}' }));
    await server.until(() => page.resumed.length === 1);
    const sent = server.commands('publish').filter((c) => c.arguments.channel === channel);
    expect(sent.map((c) => c.arguments.data)).toEqual([{ eventName: 'note', payload: { k: 2, itemName: 'P1_ITEM', value: 'typed' } }]);
    expect(page.resumed).toEqual([['resume-me', false]]);
    expect(page.ajax.map((a) => a.data.x01)).toEqual(['token']);
  });
});

describe('socketUrl', () => {
  it('turns http(s) into ws(s) and gives a URL without a path the /rtc endpoint', () => {
    expect(apex.socketUrl('https://rtm.example.com')).toBe('wss://rtm.example.com/rtc');
    expect(apex.socketUrl('http://127.0.0.1:8080/')).toBe('ws://127.0.0.1:8080/rtc');
    expect(apex.socketUrl('wss://rtm.example.com/custom/path')).toBe('wss://rtm.example.com/custom/path');
  });
});
