import { createElement, useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { createClient, RtmError, type ClientOptions, type RtmClient } from '../client/index.js';
import { RtmContext } from './context.js';
import { useLatest } from './latest.js';

/**
 * Props of {@link RtmProvider}: either a `client` the app made (and closes), or
 * the `options` of one the provider makes and closes itself.
 */
export type RtmProviderProps = {
  /** The components that may use the hooks. */
  children?: ReactNode;
} & (
  | {
      /** A client the app created and owns: the provider never closes it. */
      client: RtmClient;
      /** Not with `client`. */
      options?: undefined;
    }
  | {
      /**
       * Options of the client the provider creates in the browser, after its
       * first commit (never during server rendering), and closes on unmount.
       * Read once per mount: give the provider a `key` (e.g. the user's id)
       * to start over with other options. A token function is always called
       * as the latest render passed it.
       */
      options: ClientOptions;
      /** Not with `options`. */
      client?: undefined;
    }
);

const call = (token: ClientOptions['token']): ReturnType<Extract<ClientOptions['token'], () => unknown>> => (typeof token === 'function' ? token() : token);

interface Owned {
  client: RtmClient;
  /** An unmount asked to close it; a remount in the same tick (StrictMode, Activity) takes it back. */
  closing: boolean;
}

/**
 * Makes an rtm-kit client available to the hooks below it.
 *
 * @example
 * ```tsx
 * <RtmProvider options={{ url: 'wss://rtm.example.com/rtc', token: fetchToken }}>
 *   <ChatRoom />
 * </RtmProvider>
 * ```
 */
export function RtmProvider(props: RtmProviderProps): ReactElement {
  const { client: given, options, children } = props;
  if ((given === undefined) === (options === undefined)) {
    throw new RtmError('bad_argument', 'RtmProvider needs exactly one of client={…} (a client you made) or options={…} (for a client it makes)');
  }
  const latestOptions = useLatest(options);
  const owned = useRef<Owned | null>(null);
  const [created, setCreated] = useState<RtmClient | null>(null);

  useEffect(() => {
    if (given) return;
    let own = owned.current;
    if (own && own.closing && own.client.state !== 'closed') {
      own.closing = false;
    } else {
      const first = latestOptions.current!;
      const { token } = first;
      own = {
        // A token function often closes over app state: call the one of the latest render, not the first.
        client: createClient(typeof token === 'function' ? { ...first, token: () => call(latestOptions.current?.token ?? token) } : first),
        closing: false,
      };
      owned.current = own;
    }
    setCreated(own.client);
    const mine = own;
    return () => {
      mine.closing = true;
      // StrictMode unmounts and remounts effects within one tick: closing at once would open a second socket.
      queueMicrotask(() => {
        if (!mine.closing) return;
        mine.client.close();
        if (owned.current === mine) owned.current = null;
      });
    };
  }, [given, latestOptions]);

  return createElement(RtmContext.Provider, { value: given ?? created }, children);
}
