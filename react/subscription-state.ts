import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Recovery, RtmError, SubscriptionState, SubscriptionStatus } from '../client/index.js';
import { useProvidedClient } from './context.js';

/** What {@link useSubscriptionState} returns. */
export interface SubscriptionReport {
  /** `unsubscribed` while nothing listens (and without a client), else `subscribing`, `subscribed` or `failed`. */
  state: SubscriptionState | 'unsubscribed';
  /** Why the server refused the subscription, while `state` is `failed` (if this hook was mounted to hear it). */
  error: RtmError | null;
  /**
   * The latest recovery report, after a reconnect sent the subscription again:
   * with `recovered` false, events may have been missed and what the page
   * shows should be reloaded. A new object for each report; `null` before the first.
   */
  recovery: Recovery | null;
}

interface Heard {
  status: SubscriptionStatus | null;
  error: RtmError | null;
  recovery: Recovery | null;
}

const unsubscribed = (): 'unsubscribed' => 'unsubscribed';

/**
 * The state of the server subscription behind channel `name` (or, with two
 * arguments, resource `name` of `type`) and its recovery reports, as state.
 * It watches the subscription that {@link useChannel}, {@link useChannelMessages}
 * or {@link useResource} make; it subscribes nothing itself.
 *
 * @example
 * ```tsx
 * const { state, error, recovery } = useSubscriptionState('room:1');
 * useEffect(() => { if (recovery && !recovery.recovered) reloadHistory(); }, [recovery]);
 * ```
 */
export function useSubscriptionState(name: string): SubscriptionReport;
export function useSubscriptionState(type: string, name: string): SubscriptionReport;
export function useSubscriptionState(first: string, second?: string): SubscriptionReport {
  const client = useProvidedClient('useSubscriptionState');
  const status = useMemo(() => (client ? (second === undefined ? client.channel(first) : client.resource(first, second)) : null), [client, first, second]);
  const subscribe = useCallback((changed: () => void) => (status ? status.onState(changed) : () => {}), [status]);
  const state = useSyncExternalStore(subscribe, status ? () => status.state : unsubscribed, unsubscribed);
  const [heard, setHeard] = useState<Heard>({ status, error: null, recovery: null });

  useEffect(() => {
    if (!status) return;
    const offs = [
      status.onError((error) => setHeard((now) => ({ ...(now.status === status ? now : { recovery: null }), status, error }))),
      status.onRecovery((recovery) => setHeard((now) => ({ ...(now.status === status ? now : { error: null }), status, recovery }))),
    ];
    return () => offs.forEach((off) => off());
  }, [status]);

  const own = heard.status === status ? heard : undefined;
  return useMemo(() => ({ state, error: state === 'failed' ? (own?.error ?? null) : null, recovery: own?.recovery ?? null }), [state, own]);
}
