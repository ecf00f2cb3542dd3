// The React chat room demo (server-mock/public/react-chat.html): every hook of rtm-kit/react in one small app.
import { StrictMode, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import type { ClientOptions, Events } from '../../client/index.js';
import { channelName, RtmProvider, useChannelMessages, useConnectionState, usePublish, useSubscriptionState, type ChannelName } from '../index.js';

/** What the room's `message` events carry (the HTML chat room sends the same). */
interface Chat {
  name: string;
  text: string;
}
/** A room's channel name, typed with the events it carries: the hooks check every payload against it. */
type Room = ChannelName<Events<{ message: Chat }>>;
const roomChannel = (room: string): Room => channelName(`room:${room}`);

const ROOMS = ['lobby', 'random', 'help'];

// The dev server hands out a guest identity on the first call; later calls (refreshes) keep it.
let sub = '';
const options: ClientOptions = {
  url: `${location.origin.replace(/^http/, 'ws')}/rtc`,
  token: async () => {
    const response = await fetch(`/api/dev/token${sub ? `?sub=${encodeURIComponent(sub)}` : ''}`, { cache: 'no-store' });
    const body = (await response.json()) as { token: string; sub: string };
    sub = body.sub;
    return body.token;
  },
};

function Status({ channel }: { channel: Room }) {
  const connection = useConnectionState();
  const { state, error, recovery } = useSubscriptionState(channel);
  return (
    <p className="status" id="react-status" data-connection={connection} data-subscription={state} aria-live="polite">
      {connection === 'open' ? (state === 'subscribed' ? 'connected' : state) : `${connection}…`}
      {error && ` (refused: ${error.info})`}
      {recovery && !recovery.recovered && ' (some messages may have been missed while offline)'}
    </p>
  );
}

function Messages({ channel }: { channel: Room }) {
  const messages = useChannelMessages(channel, { eventName: 'message', limit: 100 });
  return (
    <ul id="chat-log" className="log" aria-live="polite">
      {messages.map(({ payload, meta }, index) => (
        <li key={`${meta.timestamp} ${index}`}>
          <b>{payload.name || meta.modifier}: </b>
          {payload.text}
        </li>
      ))}
    </ul>
  );
}

function Composer({ channel }: { channel: Room }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const { publish, pending, error } = usePublish(channel);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await publish('message', { name, text });
      setText('');
    } catch {
      // Shown below from `error`; the text stays so it can be sent again.
    }
  };
  return (
    <form id="chat-form" onSubmit={send}>
      <input name="name" placeholder="Your name" required size={10} value={name} onChange={(e) => setName(e.target.value)} />
      <input name="text" placeholder="Message" required autoComplete="off" size={30} value={text} onChange={(e) => setText(e.target.value)} />
      <button disabled={pending}>Send</button>
      <p id="chat-error" className="error" role="alert">
        {error && `Not sent: ${error.message}`}
      </p>
    </form>
  );
}

function ChatRoom() {
  const [room, setRoom] = useState(ROOMS[0]!);
  const channel = roomChannel(room);
  return (
    <>
      <p>
        <label htmlFor="room">Room </label>
        <select id="room" value={room} onChange={(e) => setRoom(e.target.value)}>
          {ROOMS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </p>
      <Status channel={channel} />
      {/* Same component, new room: the hook moves the subscription and starts an empty list. */}
      <Messages channel={channel} />
      <Composer channel={channel} />
    </>
  );
}

createRoot(document.getElementById('react-chat')!).render(
  <StrictMode>
    <RtmProvider options={options}>
      <ChatRoom />
    </RtmProvider>
  </StrictMode>,
);
