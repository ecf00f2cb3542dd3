// The Listener's matching and lifecycle against a real (scripted) server, without a DOM: `eventTarget` stands in
// for the document, so this also shows the widgets run in Node.
import { afterEach, describe, expect, it } from 'vitest';
import { RtmError } from '../client/index.js';
import { pageClient } from './connection.js';
import { listen, publishedByServer, type ListenerHandle, type ListenerMessage } from './listener.js';
import { PAGE_USER, usePageConnection } from './widgets.test-util.js';

const { server, push } = usePageConnection();
const handles: ListenerHandle[] = [];
afterEach(() => {
  for (const handle of handles.splice(0)) handle.stop();
});

let channels = 0;
/** A Listener on a fresh channel, subscribed before it returns. */
async function listening(config: Parameters<typeof listen>[0] = {}): Promise<{ channel: string; got: ListenerMessage[]; errors: unknown[]; handle: ListenerHandle }> {
  const channel = config.channel ?? `room-${++channels}`;
  const got: ListenerMessage[] = [];
  const errors: unknown[] = [];
  const eventTarget = config.eventTarget ?? new EventTarget();
  eventTarget.addEventListener('rtm-error', (event) => errors.push((event as CustomEvent).detail.error));
  const states: string[] = [];
  const handle = listen({ onMatch: (message) => got.push(message), onState: (state) => states.push(state), ...config, channel, eventTarget });
  handles.push(handle);
  await server().until(() => states.includes('subscribed') || states.includes('failed'));
  return { channel, got, errors, handle };
}

const subscribesTo = (channel: string) => server().commands('subscribe').filter((c) => c.arguments.resource.name === channel);
const unsubscribesFrom = (channel: string) => server().commands('unsubscribe').filter((c) => c.arguments.resource.name === channel);

describe('listen() without a DOM', () => {
  it('asks for an eventTarget with bad_argument', () => {
    expect(() => listen({ channel: 'room' })).toThrow(RtmError);
    expect(() => listen({ channel: 'room' })).toThrow(expect.objectContaining({ code: 'bad_argument' }));
  });

  it('refuses a config without a channel or a resource', () => {
    for (const config of [undefined, null, {}, { channel: '' }]) {
      expect(() => listen(config as never)).toThrow(expect.objectContaining({ code: 'bad_argument' }));
    }
  });
});

describe('a Listener', () => {
  it('acts on each message until stopped; stop() unsubscribes, releases its listener and is safe twice', async () => {
    const payloads: unknown[] = [];
    const { channel, got, handle } = await listening({ onMessage: (payload) => payloads.push(payload) });
    const client = await pageClient();
    const before = client.stats().listeners;
    push(channel, { n: 1 }, 'ping');
    await server().until(() => got.length === 1);
    expect(got[0]).toMatchObject({ channel, eventName: 'ping', payload: { n: 1 }, modifier: 'someone-else' });
    expect(payloads).toEqual([{ n: 1 }]);
    handle.stop();
    handle.stop();
    await server().until(() => unsubscribesFrom(channel).length === 1);
    expect(client.stats().listeners).toBe(before - 1);
    push(channel, { n: 2 }, 'ping');
    // A message on another live Listener proves the pushes still flow while the stopped one stays silent.
    const other = await listening();
    push(other.channel, 'later');
    await server().until(() => other.got.length === 1);
    expect(got).toHaveLength(1);
  });

  it('stopped before the connection answers, it never subscribes', async () => {
    const channel = `never-${++channels}`;
    listen({ channel, eventTarget: new EventTarget() }).stop();
    const other = await listening();
    push(other.channel, 1);
    await server().until(() => other.got.length === 1);
    expect(subscribesTo(channel)).toHaveLength(0);
  });

  it('acts only on the named events and on payloads matching where; where also goes to the server as a filter', async () => {
    const { channel, got } = await listening({ event: 'order.*', where: 'status=DONE' });
    expect(subscribesTo(channel)[0]!.arguments.filter).toMatchObject({ 'payload.status': ['DONE'] });
    push(channel, { status: 'DONE', id: 1 }, 'other');
    push(channel, { status: 'NEW', id: 2 }, 'order.created');
    push(channel, { status: 'DONE', id: 3 }, 'order.created');
    await server().until(() => got.length === 1);
    const last = await listening();
    push(last.channel, 'flush');
    await server().until(() => last.got.length === 1);
    expect(got.map((m) => (m.payload as { id: number }).id)).toEqual([3]);
  });

  it('checks every where pair itself, including the ones no server filter can carry (channel)', async () => {
    const wrong = await listening({ where: 'channel=elsewhere' });
    expect(subscribesTo(wrong.channel)[0]!.arguments.filter).toBeUndefined();
    const right = await listening({ where: { channel: `room-${channels + 1}` }, channel: `room-${channels + 1}` });
    push(wrong.channel, 1);
    push(right.channel, 2);
    await server().until(() => right.got.length === 1);
    expect(wrong.got).toHaveLength(0);
    const predicate = await listening({ where: (message) => message.payload === 'yes' });
    push(predicate.channel, 'no');
    push(predicate.channel, 'yes');
    await server().until(() => predicate.got.length === 1);
    expect(predicate.got[0]!.payload).toBe('yes');
  });

  it('fires its event on the target first; a handler that cancels it skips the other actions', async () => {
    const eventTarget = new EventTarget();
    const payloads: unknown[] = [];
    eventTarget.addEventListener('rtm-message', (event) => {
      const { detail } = event as CustomEvent<ListenerMessage>;
      if (detail.payload === 'veto') event.preventDefault();
    });
    const { channel, got } = await listening({ eventTarget, fire: 'rtm-message', onMessage: (payload) => payloads.push(payload) });
    push(channel, 'veto');
    push(channel, 'pass');
    await server().until(() => payloads.length === 1);
    expect(got.map((m) => m.payload)).toEqual(['veto', 'pass']);
    expect(payloads).toEqual(['pass']);
  });

  it('with once, acts on the first match only and unsubscribes', async () => {
    const { channel, got } = await listening({ once: true });
    push(channel, 1);
    push(channel, 2);
    await server().until(() => unsubscribesFrom(channel).length === 1);
    expect(got.map((m) => m.payload)).toEqual([1]);
  });

  it('with serverOnly, acts only on what the REST API published (modifier api:<key>)', async () => {
    const { channel, got } = await listening({ serverOnly: true });
    push(channel, 'from a user', null, 'bob');
    push(channel, 'from the backend', null, 'api:erp');
    await server().until(() => got.length === 1);
    expect(got[0]!.payload).toBe('from the backend');
    expect(publishedByServer({ modifier: 'api:x' })).toBe(true);
    expect(publishedByServer({ modifier: 'apix' })).toBe(false);
    expect(publishedByServer({ modifier: undefined })).toBe(false);
  });

  it('calls a global function by dotted name with this = the message; a missing one is reported as rtm-error', async () => {
    const calls: unknown[] = [];
    (globalThis as Record<string, unknown>).myApp = {
      onOrder(this: ListenerMessage, payload: unknown, message: ListenerMessage) {
        calls.push([this.channel, payload, message.eventName]);
      },
    };
    const good = await listening({ call: 'myApp.onOrder' });
    push(good.channel, 5, 'created');
    await server().until(() => calls.length === 1);
    expect(calls).toEqual([[good.channel, 5, 'created']]);
    const bad = await listening({ call: 'myApp.missing' });
    push(bad.channel, 6);
    await server().until(() => bad.errors.length === 1);
    expect(bad.errors[0]).toMatchObject({ code: 'bad_argument', message: expect.stringContaining('myApp.missing') });
    delete (globalThis as Record<string, unknown>).myApp;
  });

  it('reports a refused subscription on its event target as rtm-error', async () => {
    const reply = server().reply;
    server().reply = (command) => (command.command === 'subscribe' ? { error: { code: 2, info: 'no access' } } : reply(command));
    try {
      const { errors } = await listening();
      await server().until(() => errors.length === 1);
      expect(errors[0]).toMatchObject({ code: 2 });
    } finally {
      server().reply = reply;
    }
  });

  it('on a resource, subscribes to the named actions and delivers records as the payload', async () => {
    const got: ListenerMessage[] = [];
    const eventTarget = new EventTarget();
    const states: string[] = [];
    handles.push(listen({ resource: 'ds:orders', event: 'created', eventTarget, onMatch: (m) => got.push(m), onState: (s) => states.push(s) }));
    await server().until(() => states.includes('subscribed'));
    const command = server().commands('subscribe').find((c) => c.arguments.resource.type === 'ds')!;
    expect(command.arguments).toMatchObject({ resource: { type: 'ds', name: 'orders' }, action: ['created'] });
    for (const peer of server().peers) {
      peer.send({ type: 'event', data: { action: 'created', resource: { type: 'ds', name: 'orders' }, modifier: { id: 'bob' }, timestamp: 't', data: [{ id: 1 }] } });
    }
    await server().until(() => got.length === 1);
    expect(got[0]).toMatchObject({ channel: 'ds:orders', eventName: 'created', payload: [{ id: 1 }], modifier: 'bob' });
    expect(() => listen({ resource: 'orders', eventTarget })).toThrow(expect.objectContaining({ code: 'bad_argument' }));
  });
});

describe('ignoreOwn', () => {
  it("skips the echo of this page's own Broadcast, not the same content from someone else", async () => {
    const { broadcast } = await import('./broadcast.js');
    const { channel, got } = await listening({ ignoreOwn: true });
    const sent = broadcast({ channel, event: 'note', payload: { text: 'hi' } });
    push(channel, { text: 'hi' }, 'note', PAGE_USER);
    push(channel, { text: 'hi' }, 'note', 'bob');
    await sent;
    await server().until(() => got.length === 1);
    expect(got[0]!.modifier).toBe('bob');
    const plain = await listening({ channel });
    push(channel, { text: 'hi' }, 'note', PAGE_USER);
    await server().until(() => plain.got.length === 1);
  });
});
