/**
 * The platform APIs the shared mode uses, typed here as far as it uses them,
 * so the client needs no DOM types, and read from `globalThis` so that each
 * missing one (no SharedWorker on Chrome for Android, no Web Locks in old
 * WebViews) just selects another mechanism.
 */

/** A port or channel that carries structured-clone messages. */
export interface MessageTarget {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** The BroadcastChannel constructor. */
export type BroadcastChannelConstructor = new (name: string) => MessageTarget & { close(): void };

/** A SharedWorker: its port, and `onerror` when its script cannot run. */
export interface SharedWorkerLike {
  readonly port: MessageTarget & { start(): void; close(): void };
  onerror: ((event: unknown) => void) | null;
}

/** The SharedWorker constructor. */
export type SharedWorkerConstructor = new (url: string | URL, options?: { name?: string }) => SharedWorkerLike;

/** The part of the Web Locks API used: an exclusive lock held while `callback`'s promise is pending. */
export interface LockManagerLike {
  request(name: string, options: { signal?: unknown; steal?: boolean; ifAvailable?: boolean }, callback: (lock: unknown) => Promise<unknown> | unknown): Promise<unknown>;
}

interface Scope {
  SharedWorker?: SharedWorkerConstructor;
  BroadcastChannel?: BroadcastChannelConstructor;
  navigator?: { locks?: LockManagerLike };
  document?: { addEventListener(type: string, listener: () => void): void };
  addEventListener?(type: string, listener: () => void): void;
}

const scope = globalThis as unknown as Scope;

/** The SharedWorker constructor, if this context has one. */
export const sharedWorker = (): SharedWorkerConstructor | undefined => (typeof scope.SharedWorker === 'function' ? scope.SharedWorker : undefined);

/** The BroadcastChannel constructor, if this context has one. */
export const broadcastChannel = (): BroadcastChannelConstructor | undefined => (typeof scope.BroadcastChannel === 'function' ? scope.BroadcastChannel : undefined);

/** The Web Locks API, if this context has it. */
export const locks = (): LockManagerLike | undefined => (typeof scope.navigator?.locks?.request === 'function' ? scope.navigator.locks : undefined);

/**
 * Listens to a page lifecycle event: `freeze` and `resume` on the document,
 * `pagehide` on the window. Does nothing where there is no page (a worker, Node).
 */
export function onPage(type: 'freeze' | 'resume' | 'pagehide', listener: () => void): void {
  const target = type === 'pagehide' ? scope : scope.document;
  if (typeof target?.addEventListener === 'function') target.addEventListener(type, listener);
}

/** A random ID for a tab or a host, unique enough among the tabs of one origin. */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(36).padStart(2, '0')).join('');
}
