import { createContext, useContext } from 'react';
import { RtmError, type RtmClient } from '../client/index.js';

/**
 * What {@link RtmProvider} hands down: its client, or `null` while there is none
 * (server rendering, and the first browser render of a provider given `options`).
 * `undefined` means no provider at all, a mistake worth an error in words.
 */
export const RtmContext = createContext<RtmClient | null | undefined>(undefined);

/** The provider's client for a hook named `hook`; throws a `bad_argument` RtmError outside any provider. */
export function useProvidedClient(hook: string): RtmClient | null {
  const client = useContext(RtmContext);
  if (client === undefined) throw new RtmError('bad_argument', `${hook} must be called inside <RtmProvider client={…}> or <RtmProvider options={…}>`);
  return client;
}

/**
 * The client of the nearest {@link RtmProvider}. `null` during server rendering
 * and in the first browser render of a provider given `options` (it creates its
 * client in an effect); never `null` under a provider given `client`. Throws an
 * `RtmError` (`bad_argument`) when no provider is above the component.
 */
export function useRtmClient(): RtmClient | null {
  return useProvidedClient('useRtmClient');
}
