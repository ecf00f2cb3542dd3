import { CHANNEL_NAME } from '../client/protocol.js';

/** True when `name` is a valid channel name. */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name);
}

/**
 * `user:<id>` channels belong to user `<id>`: only a token with that `sub`
 * may subscribe or publish, so no one else ever receives them. The seed's
 * bridge sent every message to every socket and filtered in the browser.
 */
export function mayUse(sub: string, channel: string): boolean {
  return !channel.startsWith('user:') || channel.slice('user:'.length) === sub;
}
