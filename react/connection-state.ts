import { useCallback, useSyncExternalStore } from 'react';
import type { ConnectionState } from '../client/index.js';
import { useProvidedClient } from './context.js';

const idle = (): ConnectionState => 'idle';

/**
 * The provider client's connection state (`idle`, `connecting`, `open`,
 * `reconnecting`, `closed`), re-rendering on every change. `idle` while there
 * is no client, and during server rendering and hydration.
 */
export function useConnectionState(): ConnectionState {
  const client = useProvidedClient('useConnectionState');
  const subscribe = useCallback((changed: () => void) => (client ? client.on('state', changed) : () => {}), [client]);
  return useSyncExternalStore(subscribe, client ? () => client.state : idle, idle);
}
