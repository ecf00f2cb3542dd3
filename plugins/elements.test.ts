// @vitest-environment happy-dom
// The HTML forms in a DOM (happy-dom) against a real (scripted) server: <rtm-connection> configures the page,
// <rtm-listener> listens while it is in the document, moves with its attributes and shows `connected`, and any
// [data-rtm-broadcast] element, there from the start or added later, publishes on the DOM event it names.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fakeJwt, startScriptedServer, type ScriptedServer } from '../client/scripted-server.test-util.js';
import { pageClient } from './connection.js';
import { broadcastConfigOf, RtmListenerElement, start } from './elements.js';

let server: ScriptedServer;
const token = fakeJwt(Math.floor(Date.now() / 1000) + 3600, 'page-user');
const original = globalThis.WebSocket;
beforeAll(async () => {
  server = await startScriptedServer();
  globalThis.WebSocket = WebSocket as never;
  start();
  start(); // a second start() (two script tags) must not bind anything twice
  document.body.innerHTML = `<rtm-connection url="${server.url}" token="${token}"></rtm-connection>`;
  await (await pageClient()).ready();
});
afterAll(async () => {
  (await pageClient()).close();
  globalThis.WebSocket = original;
  await server.close();
});
afterEach(() => {
  document.body.innerHTML = '';
});

let channels = 0;
const fresh = (): string => `html-room-${++channels}`;
const subscribes = (channel: string) => server.commands('subscribe').filter((c) => c.arguments.resource.name === channel).length;
const unsubscribes = (channel: string) => server.commands('unsubscribe').filter((c) => c.arguments.resource.name === channel).length;
const publishes = (channel: string) => server.commands('publish').filter((c) => c.arguments.channel === channel);
/** Events of one type that reached the document, with their detail. */
function heard(type: string): unknown[] {
  const seen: unknown[] = [];
  document.addEventListener(type, (event) => seen.push((event as CustomEvent).detail));
  return seen;
}
/** One round trip, so everything the server sent before has arrived. */
const settled = async (): Promise<void> => void (await (await pageClient()).request('ping'));

describe('<rtm-connection>', () => {
  it('configured the page connection from its attributes; one with other settings, or without a url, fires rtm-error', async () => {
    expect(server.peers[0]!.token).toBe(token);
    const errors = heard('rtm-error');
    document.body.innerHTML = `<rtm-connection url="${server.url.replace('/rtc', '/other')}" token="${token}"></rtm-connection><rtm-connection token="x"></rtm-connection>`;
    expect(errors).toEqual([
      { error: expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining('already configured') }) },
      { error: expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining('url: missing') }) },
    ]);
    expect(server.peers).toHaveLength(1);
  });
});

describe('<rtm-listener>', () => {
  it('listens while in the document: acts on matching messages, shows connected, and unsubscribes when removed', async () => {
    const channel = fresh();
    document.body.innerHTML = '<ul id="log"></ul>';
    const listener = document.createElement('rtm-listener');
    for (const [name, value] of [['channel', channel], ['event', 'ping'], ['set', '#log=payload.text'], ['append', '']]) listener.setAttribute(name, value!);
    const messages: unknown[] = [];
    listener.addEventListener('rtm-message', (event) => messages.push((event as CustomEvent).detail.payload));
    document.body.append(listener);
    await server.until(() => listener.hasAttribute('connected'));
    expect(subscribes(channel)).toBe(1);
    server.peers[0]!.event(channel, { text: 'one' }, 'ping');
    server.peers[0]!.event(channel, { text: 'not this event' }, 'pong');
    server.peers[0]!.event(channel, { text: 'two' }, 'ping');
    await server.until(() => messages.length === 2);
    expect([...document.querySelectorAll('#log > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    listener.remove();
    expect(listener.hasAttribute('connected')).toBe(false);
    await server.until(() => unsubscribes(channel) === 1);
    server.peers[0]!.event(channel, { text: 'after removal' }, 'ping');
    const elsewhere = fresh();
    listener.setAttribute('channel', elsewhere); // out of the document, a change starts nothing
    await settled();
    expect(messages).toHaveLength(2);
    expect(subscribes(elsewhere)).toBe(0);
    expect((await pageClient()).stats().subscriptions).toBe(0);
  });

  it('subscribes once when parsed with its attributes, and moves when its channel changes', async () => {
    const [first, second] = [fresh(), fresh()];
    document.body.innerHTML = `<rtm-listener channel="${first}"></rtm-listener>`;
    const listener = document.querySelector('rtm-listener')!;
    const messages: unknown[] = [];
    listener.addEventListener('rtm-message', (event) => messages.push((event as CustomEvent).detail.payload));
    await server.until(() => listener.hasAttribute('connected'));
    await settled();
    expect(subscribes(first)).toBe(1);
    listener.setAttribute('channel', second);
    await server.until(() => subscribes(second) === 1 && unsubscribes(first) === 1 && listener.hasAttribute('connected'));
    server.peers[0]!.event(first, 'old channel');
    server.peers[0]!.event(second, 'new channel');
    await server.until(() => messages.length > 0);
    await settled();
    expect(messages).toEqual(['new channel']);
  });

  it('reads every Listener setting from its attribute, in kebab case: server-only acts only on what the REST API published', async () => {
    const channel = fresh();
    document.body.innerHTML = `<p id="out"></p><rtm-listener channel="${channel}" event="ping" server-only set="#out=payload.text"></rtm-listener>`;
    const listener = document.querySelector('rtm-listener')!;
    const messages: unknown[] = [];
    listener.addEventListener('rtm-message', (event) => messages.push((event as CustomEvent).detail.payload));
    await server.until(() => listener.hasAttribute('connected'));
    const push = (text: string, modifier: string): void =>
      server.peers[0]!.send({
        type: 'event',
        data: { action: 'published', resource: { type: 'channel', name: channel }, modifier: { id: modifier }, timestamp: new Date().toISOString(), data: { eventName: 'ping', payload: { text } } },
      });
    push('from a page user', 'alice');
    push('from the REST API', 'api:backend');
    await server.until(() => messages.length === 1);
    await settled();
    expect(messages).toEqual([{ text: 'from the REST API' }]);
    expect(document.getElementById('out')!.textContent).toBe('from the REST API');
    expect(RtmListenerElement.observedAttributes).toEqual(
      ['channel', 'resource', 'event', 'where', 'fire', 'set', 'refresh', 'notify', 'call', 'debounce', 'append', 'once', 'ignore-own', 'server-only'],
    );
  });

  it('fires rtm-error on itself when its settings are refused', () => {
    const errors: unknown[] = [];
    const listener = document.createElement('rtm-listener');
    listener.addEventListener('rtm-error', (event) => errors.push((event as CustomEvent).detail.error));
    document.body.append(listener);
    expect(errors).toEqual([expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining('channel: missing') })]);
  });
});

describe('[data-rtm-broadcast]', () => {
  it('publishes on click what its data-rtm-* attributes say, once, and fires rtm-sent', async () => {
    const channel = fresh();
    const sent = heard('rtm-sent');
    document.body.innerHTML = `<input id="P1_NAME" value="Ada"><button data-rtm-broadcast data-rtm-channel="${channel}" data-rtm-event="note" data-rtm-items="P1_NAME" data-rtm-payload='{"k": 1}'>Send</button>`;
    await Promise.resolve(); // the MutationObserver sees it
    document.body.append(document.createElement('p')); // and looks again: still one binding per event type
    await Promise.resolve();
    document.querySelector('button')!.click();
    await server.until(() => sent.length === 1);
    await settled();
    expect(publishes(channel).map((c) => c.arguments.data)).toEqual([{ eventName: 'note', payload: { k: 1, P1_NAME: 'Ada' } }]);
    expect(sent[0]).toMatchObject({ channel, event: 'note' });
  });

  it('works for elements added later, on the DOM event the attribute names; a form submit sends its fields and does not navigate', async () => {
    const [changes, forms] = [fresh(), fresh()];
    const sent = heard('rtm-sent');
    const input = Object.assign(document.createElement('input'), { value: 'typed' });
    input.id = 'later';
    Object.assign(input.dataset, { rtmBroadcast: 'change', rtmChannel: changes, rtmItems: 'later' });
    document.body.append(input);
    await Promise.resolve(); // the MutationObserver sees it
    input.dispatchEvent(new Event('click', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await server.until(() => sent.length === 1);
    expect(publishes(changes).map((c) => c.arguments.data.payload)).toEqual([{ later: 'typed' }]);

    document.body.insertAdjacentHTML('beforeend', `<form data-rtm-broadcast="submit" data-rtm-channel="${forms}"><input name="city" value="Oslo"></form>`);
    await Promise.resolve();
    const submit = new Event('submit', { bubbles: true, cancelable: true });
    document.querySelector('form')!.dispatchEvent(submit);
    expect(submit.defaultPrevented).toBe(true);
    await server.until(() => sent.length === 2);
    expect(publishes(forms).map((c) => c.arguments.data.payload)).toEqual([{ city: 'Oslo' }]);
  });

  it('reads its settings from data-rtm-* (a form is its own form, the timeout a number)', () => {
    document.body.innerHTML = '<form data-rtm-channel="c" data-rtm-event="e" data-rtm-items="A,B" data-rtm-build="app.build" data-rtm-timeout="250"></form>';
    const form = document.querySelector('form')!;
    expect(broadcastConfigOf(form)).toEqual({ channel: 'c', event: 'e', items: 'A,B', form, payload: undefined, build: 'app.build', timeout: 250 });
  });
});
