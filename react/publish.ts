import { useCallback, useMemo, useState } from 'react';
import { RtmError, type Channel, type Json, type RequestOptions } from '../client/index.js';
import type { ChannelName } from './channel-name.js';
import { useProvidedClient } from './context.js';
import { useLatest } from './latest.js';

/** What {@link usePublish} returns. */
export interface Publisher<T = Json> {
  /**
   * Publishes `payload` under `eventName` on the hook's channel (the one of the
   * latest render), typed as `channel.publish` of a `Channel<T>`; the same
   * function on every render. Resolves with the server's response, rejects
   * with the `RtmError` that `error` also shows. Calling it without awaiting is
   * safe: a failure never becomes an unhandled rejection.
   */
  publish: Channel<T>['publish'];
  /** True while any publish of this hook waits for the server. */
  pending: boolean;
  /** Why the latest failed publish failed; back to `null` when the next one starts. */
  error: RtmError | null;
}

interface Progress {
  pending: number;
  error: RtmError | null;
}

const asRtmError = (error: unknown): RtmError => (error instanceof RtmError ? error : new RtmError('bad_argument', String(error), undefined, { cause: error }));

/**
 * Publishing to channel `name`, with its progress as state. Publishes made
 * while the link is down wait in the client's outbox and are sent, once, on
 * reconnect, as with `channel.publish`.
 *
 * @example
 * ```tsx
 * const { publish, pending, error } = usePublish<Chat>('room:1'); // publish('message', { txt: '' }) does not compile
 * <button disabled={pending} onClick={() => publish('message', { text })}>Send</button>
 * {error && <p role="alert">Not sent: {error.info}</p>}
 * ```
 */
export function usePublish<T = Json>(name: ChannelName<T>): Publisher<T> {
  const client = useProvidedClient('usePublish');
  const target = useLatest({ client, name });
  const [progress, setProgress] = useState<Progress>({ pending: 0, error: null });

  const publish = useCallback(
    (eventName: string | null, payload: unknown, options?: RequestOptions): Promise<Json> => {
      const { client, name } = target.current;
      let sent: Promise<Json>;
      try {
        sent = client
          ? client.channel(name).publish(eventName, payload as Json, options)
          : Promise.reject(new RtmError('closed', 'usePublish: no client yet (server rendering, or before RtmProvider created it)'));
      } catch (error) {
        sent = Promise.reject(asRtmError(error));
      }
      setProgress((now) => ({ pending: now.pending + 1, error: null }));
      sent.then(
        () => setProgress((now) => ({ ...now, pending: now.pending - 1 })),
        (error: unknown) => setProgress((now) => ({ pending: now.pending - 1, error: asRtmError(error) })),
      );
      return sent;
    },
    [target],
  );

  return useMemo(() => ({ publish: publish as Channel<T>['publish'], pending: progress.pending > 0, error: progress.error }), [publish, progress]);
}
