import { CHANNEL_NAME } from '../client/protocol.js';

/** Prefix of private per-user channels: `user:<id>` belongs to the token whose `sub` is `<id>`. */
export const PRIVATE_PREFIX = 'user:';

/** True when `name` is a valid channel name: ASCII `[A-Za-z0-9_:.@-]`, 1 to 255 characters. */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name);
}

/** True for `user:<id>` channels, which only `<id>` may read and legacy listeners never see. */
export function isPrivateChannel(name: string): boolean {
  return name.startsWith(PRIVATE_PREFIX);
}

/** True when `sub` may use `channel` as far as privacy goes: any public channel, and its own `user:<sub>`. */
export function ownsOrPublic(sub: string, channel: string): boolean {
  return !isPrivateChannel(channel) || channel.slice(PRIVATE_PREFIX.length) === sub;
}
