/** What the shared script-tag bundle puts under the global `RTM`: the client with its shared mode, and the widgets. */
import { createClient as createSharedClient, type SharedClientOptions, type SharedRtmClient } from '../client/shared/index.js';

export * from '../client/shared/index.js';
export * from './index.js';

// Read while the script runs: afterwards document.currentScript is another script, or none.
const script = typeof document === 'undefined' ? undefined : (document.currentScript as HTMLScriptElement | null)?.src;
const workerUrl = script ? new URL('rtm-shared-worker.js', script).toString() : undefined;

/** `createClient` of `rtm-kit/shared`, finding the SharedWorker script next to this one. */
export function createClient(options: SharedClientOptions): SharedRtmClient {
  return createSharedClient(options?.shared === true && workerUrl ? { ...options, shared: { workerUrl } } : options);
}
