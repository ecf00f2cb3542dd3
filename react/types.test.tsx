// Type tests: `npm run typecheck` compiles this file, so each `@ts-expect-error` must be a real error and each
// expectTypeOf must hold. vitest renders the components on the server, where no handler runs: only types matter.
import { renderToString } from 'react-dom/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { ChannelMeta, Events, Json, RtmError } from '../client/index.js';
import { channelName, RtmProvider, useChannel, useChannelMessages, usePublish, useResource } from './index.js';

interface Chat {
  text: string;
}
type Room = Events<{ message: Chat; typing: { user: string } }>;
const room = channelName<Room>('room:1');
const quiet = (promise: Promise<unknown>): void => void promise.catch(() => {});

function Untyped() {
  useChannel('room:1', (payload, meta) => {
    expectTypeOf(payload).toEqualTypeOf<Json>();
    expectTypeOf(meta).toEqualTypeOf<ChannelMeta<string>>();
  });
  const messages = useChannelMessages('room:1');
  expectTypeOf<(typeof messages)[number]['payload']>().toEqualTypeOf<Json>();
  const { publish, error } = usePublish('room:1');
  expectTypeOf(error).toEqualTypeOf<RtmError | null>();
  const chat: Chat = { text: 'hi' };
  const publishInterface = () => quiet(publish('message', chat));
  // @ts-expect-error a function is not JSON
  const publishFunction = () => quiet(publish('message', { f: () => 1 }));
  useResource('ds', 'orders', (event) => expectTypeOf(event.data).toEqualTypeOf<Json>());
  return <p onClick={() => (publishInterface(), publishFunction())} />;
}

function OnePayloadType() {
  useChannel<Chat>('room:1', 'message', (payload) => expectTypeOf(payload).toEqualTypeOf<Chat>());
  // @ts-expect-error a handler for another payload type
  useChannel<Chat>('room:1', (payload: { count: number }) => payload.count);
  const messages = useChannelMessages<Chat>('room:1', { limit: 10 });
  expectTypeOf<(typeof messages)[number]['payload']>().toEqualTypeOf<Chat>();
  const { publish } = usePublish<Chat>('room:1');
  const send = () => {
    quiet(publish('message', { text: 'hi' }));
    // @ts-expect-error misspelt field
    quiet(publish('message', { txt: 'hi' }));
  };
  useResource<Array<{ id: number }>>('ds', 'orders', ['created'], (event) => expectTypeOf(event.data).toEqualTypeOf<Array<{ id: number }>>());
  return <p onClick={send} />;
}

function EventMap() {
  useChannel(room, 'typing', (payload, meta) => {
    expectTypeOf(payload).toEqualTypeOf<{ user: string }>();
    expectTypeOf(meta.eventName).toEqualTypeOf<'typing' | null>();
  });
  useChannel(room, 'message', (payload) => expectTypeOf(payload).toEqualTypeOf<Chat>());
  useChannel(room, (payload) => expectTypeOf(payload).toEqualTypeOf<Chat | { user: string }>());
  // @ts-expect-error not an event of the map
  useChannel(room, 'joined', () => {});
  // The explicit form: every type argument written out.
  useChannel<Room, 'typing'>('room:1', 'typing', (payload) => expectTypeOf(payload).toEqualTypeOf<{ user: string }>());

  // A subscription filter is typed by the payload the event name picks.
  useChannel(room, 'typing', () => {}, { filter: { 'payload.user': 'ann' } });
  // @ts-expect-error a filter on a field the payload does not have
  useChannel(room, 'typing', () => {}, { filter: { 'payload.text': 'hi' } });
  useChannelMessages(room, { eventName: 'message', filter: { 'payload.text': { $gte: 'a' } } });

  const typing = useChannelMessages(room, { eventName: 'typing' });
  expectTypeOf<(typeof typing)[number]['payload']>().toEqualTypeOf<{ user: string }>();
  for (const message of useChannelMessages(room)) {
    // A union by event name: the name narrows the payload.
    if (message.eventName === 'typing') expectTypeOf(message.payload).toEqualTypeOf<{ user: string }>();
    else if (message.eventName === 'message') expectTypeOf(message.payload).toEqualTypeOf<Chat>();
  }

  const { publish } = usePublish(room);
  const send = () => {
    quiet(publish('message', { text: 'hi' }));
    quiet(publish('typing', { user: 'ann' }));
    // @ts-expect-error the payload of another event
    quiet(publish('typing', { text: 'hi' }));
    // @ts-expect-error not an event of the map
    quiet(publish('joined', {}));
  };
  return <p onClick={send} />;
}

describe('rtm-kit/react types', () => {
  it('typed hooks render on the server like untyped ones', () => {
    const html = renderToString(
      <RtmProvider options={{ url: 'ws://127.0.0.1:9/rtc', token: 't' }}>
        <Untyped />
        <OnePayloadType />
        <EventMap />
      </RtmProvider>,
    );
    expectTypeOf(html).toEqualTypeOf<string>();
  });
});
