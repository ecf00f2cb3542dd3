import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createClient, RtmError, type ClientOptions, type WebSocketConstructor } from '../client/index.js';
import { RtmProvider, useChannel, useChannelMessages, useConnectionState, usePublish, useResource, useRtmClient, useSubscriptionState } from './index.js';

/** A WebSocket class that counts the sockets opened with it and never connects. */
function countingSocket(): { WebSocket: WebSocketConstructor; opened: string[] } {
  const opened: string[] = [];
  class Counting extends EventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readyState = 0;
    binaryType = 'blob';
    constructor(readonly url: string) {
      super();
      opened.push(url);
    }
    send(): void {}
    close(): void {
      this.readyState = 3;
    }
  }
  return { WebSocket: Counting as unknown as WebSocketConstructor, opened };
}

/** Every hook of rtm-kit/react, as a page would use them, rendering what it got. */
function Everything() {
  const client = useRtmClient();
  const connection = useConnectionState();
  const messages = useChannelMessages('room:1', { eventName: 'message', limit: 5 });
  const { state } = useSubscriptionState('room:1');
  const resource = useSubscriptionState('ds', 'orders');
  const { pending, error } = usePublish('room:1');
  useChannel('room:1', () => {});
  useChannel('room:1', 'typing', () => {});
  useResource('ds', 'orders', ['created'], () => {});
  useResource('ds', 'orders', () => {});
  return (
    <p>
      {`client=${client ? 'yes' : 'none'} connection=${connection} messages=${messages.length} state=${state} resource=${resource.state} pending=${pending} error=${error}`}
    </p>
  );
}

describe('server rendering', () => {
  it('a provider given options opens no socket, creates no client and throws nothing', () => {
    const { WebSocket, opened } = countingSocket();
    const options: ClientOptions = { url: 'ws://127.0.0.1:1/rtc', token: () => 'token', WebSocket };
    const html = renderToString(
      <RtmProvider options={options}>
        <Everything />
      </RtmProvider>,
    );
    expect(html).toBe('<p>client=none connection=idle messages=0 state=unsubscribed resource=unsubscribed pending=false error=null</p>');
    expect(opened).toEqual([]);
  });

  it('a provider given options renders in Node, which has no WebSocket, without asking for one', () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    expect(() =>
      renderToString(
        <RtmProvider options={{ url: 'ws://127.0.0.1:1/rtc', token: 'token' }}>
          <Everything />
        </RtmProvider>,
      ),
    ).not.toThrow();
  });

  it("a provider given a client: hooks add no listener, subscription or socket to it during server rendering", () => {
    const { WebSocket, opened } = countingSocket();
    const client = createClient({ url: 'ws://127.0.0.1:1/rtc', token: 'token', WebSocket, reconnect: false });
    try {
      const sockets = opened.length;
      const html = renderToString(
        <RtmProvider client={client}>
          <Everything />
        </RtmProvider>,
      );
      // Hydration renders the server snapshot: idle, whatever the client's state, so server and browser agree.
      expect(html).toBe('<p>client=yes connection=idle messages=0 state=unsubscribed resource=unsubscribed pending=false error=null</p>');
      expect(opened.length).toBe(sockets);
      expect(client.stats()).toMatchObject({ subscriptions: 0, listeners: 0, pending: 0, queued: 0 });
    } finally {
      client.close();
    }
  });
});

describe('misuse says what is wrong', () => {
  const failure = (element: React.ReactElement): RtmError => {
    try {
      renderToString(element);
    } catch (error) {
      return error as RtmError;
    }
    throw new Error('rendered without an error');
  };

  it('a hook outside any provider names itself and the provider', () => {
    const error = failure(<Everything />);
    expect(error).toBeInstanceOf(RtmError);
    expect(error.code).toBe('bad_argument');
    expect(error.info).toMatch(/useRtmClient must be called inside <RtmProvider/);
  });

  it('a provider needs exactly one of client and options', () => {
    const { WebSocket } = countingSocket();
    const client = createClient({ url: 'ws://127.0.0.1:1/rtc', token: 'token', WebSocket, reconnect: false });
    try {
      const both = { client, options: { url: 'ws://127.0.0.1:1/rtc', token: 't' } } as unknown as { client: typeof client };
      for (const props of [{} as { client: typeof client }, both]) {
        const error = failure(<RtmProvider {...props} />);
        expect(error.code).toBe('bad_argument');
        expect(error.info).toMatch(/exactly one of client=\{…\} .* or options=\{…\}/);
      }
    } finally {
      client.close();
    }
  });

  it('useChannel without a handler, and useChannelMessages with a bad limit, throw in words', () => {
    const options = { url: 'ws://127.0.0.1:1/rtc', token: 't' };
    const NoHandler = () => (useChannel('room:1', 'message', undefined as never), null);
    const BadLimit = () => (useChannelMessages('room:1', { limit: 0 }), null);
    expect(failure(<RtmProvider options={options}><NoHandler /></RtmProvider>).info).toBe('useChannel needs a handler function after the channel name (and event name)');
    expect(failure(<RtmProvider options={options}><BadLimit /></RtmProvider>).info).toBe('useChannelMessages: limit must be an integer > 0 (got 0)');
  });
});
