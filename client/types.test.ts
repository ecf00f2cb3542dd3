// Type tests: `npm run typecheck` compiles this file, so each `@ts-expect-error` below must be a real error and
// each expectTypeOf must hold; vitest runs it too, where the calls are made against a client that never connects.
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type Channel, type ChannelMeta, type Events, type Json, type ResourceEvent } from './index.js';

interface Chat {
  text: string;
  at?: number;
}
type Room = Events<{ message: Chat; typing: { user: string } }>;

// Never connects (reconnect off, a port nobody listens on) and is closed at once: only the types matter here.
const client = createClient({ url: 'ws://127.0.0.1:9/rtc', token: 't', reconnect: false, WebSocket: class {} as never });
client.close();
const quiet = (promise: Promise<unknown>): void => void promise.catch(() => {});

describe('typed channels', () => {
  it('untyped: handlers get Json; publish takes interfaces and plain JSON, not undefined, functions or BigInt', () => {
    const room = client.channel('room');
    expectTypeOf(room).toEqualTypeOf<Channel<Json>>();
    room.on('message', (payload, meta) => {
      expectTypeOf(payload).toEqualTypeOf<Json>();
      expectTypeOf(meta).toEqualTypeOf<ChannelMeta<'message'>>();
    });
    room.on((payload, meta) => expectTypeOf(meta).toEqualTypeOf<ChannelMeta<string>>());
    const chat: Chat = { text: 'hi' };
    quiet(room.publish('message', chat));
    quiet(room.publish(null, [chat, { a: [1, 'x', null, true] }]));
    // @ts-expect-error undefined is not JSON
    quiet(room.publish('message', undefined));
    // @ts-expect-error a function is not JSON
    quiet(room.publish('message', { f: () => 1 }));
    // @ts-expect-error BigInt is not JSON
    quiet(room.publish('message', 10n));
  });

  it('channel<T>: one payload type for on, publish and every event name', () => {
    const room = client.channel<Chat>('room');
    room.on('message', (payload, meta) => {
      expectTypeOf(payload).toEqualTypeOf<Chat>();
      expectTypeOf(meta.eventName).toEqualTypeOf<'message' | null>();
    });
    room.on((payload) => expectTypeOf(payload).toEqualTypeOf<Chat>());
    quiet(room.publish('message', { text: 'hi' }));
    quiet(room.publish(null, { text: 'hi', at: 1 }));
    // @ts-expect-error misspelt field
    quiet(room.publish('message', { txt: 'hi' }));
    // @ts-expect-error extra field
    quiet(room.publish('message', { text: 'hi', extra: 1 }));
    // @ts-expect-error a handler for another type
    room.on('message', (payload: { count: number }) => payload.count);
  });

  it('channel<Events<{…}>>: each event name has its own payload type', () => {
    const room = client.channel<Room>('room:1');
    room.on('message', (payload, meta) => {
      expectTypeOf(payload).toEqualTypeOf<Chat>();
      expectTypeOf(meta.eventName).toEqualTypeOf<'message' | null>();
    });
    room.on('typing', (payload) => expectTypeOf(payload).toEqualTypeOf<{ user: string }>());
    room.on((payload, meta) => {
      expectTypeOf(payload).toEqualTypeOf<Chat | { user: string }>();
      expectTypeOf(meta.eventName).toEqualTypeOf<'message' | 'typing' | null>();
    });
    quiet(room.publish('typing', { user: 'x' }));
    quiet(room.publish('message', { text: 'hi' }));
    // @ts-expect-error misspelt field of this event
    quiet(room.publish('typing', { usr: 'x' }));
    // @ts-expect-error the other event's payload
    quiet(room.publish('typing', { text: 'hi' }));
    // @ts-expect-error an event name the map does not have
    quiet(room.publish('nope', { user: 'x' }));
    // @ts-expect-error an event map needs an event name
    quiet(room.publish(null, { user: 'x' }));
    // @ts-expect-error a field of another event
    room.on('typing', (payload) => payload.text);
  });
});

describe('typed resources and requests', () => {
  it('resource<T> types each event’s data', () => {
    interface Order {
      id: number;
      total: number;
    }
    client.resource<Order[]>('ds', 'orders').on('all', (event) => {
      expectTypeOf(event).toEqualTypeOf<ResourceEvent<Order[]>>();
      expectTypeOf(event.data).toEqualTypeOf<Order[]>();
    });
    client.resource('ds', 'orders').on('created', (event) => expectTypeOf(event.data).toEqualTypeOf<Json>());
  });

  it('request() takes interfaces as arguments, and refuses what JSON cannot carry', () => {
    const chat: Chat = { text: 'hi' };
    quiet(client.request('publish', { channel: 'room', data: { eventName: null, payload: chat } }));
    // @ts-expect-error a function is not JSON
    quiet(client.request('publish', { channel: 'room', data: () => 1 }));
  });
});
