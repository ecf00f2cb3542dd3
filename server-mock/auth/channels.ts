import { PRIVATE_PREFIX, userChannel } from '../../protocol/index.js';

/** Prefix of session channels: `session:<id>` reaches the one connection with that id (see session-directory.ts). */
export const SESSION_PREFIX = 'session:';

/** True for `session:<id>` channels: nobody subscribes to them, and publishing needs a claim that names them. */
export function isSessionChannel(name: string): boolean {
  return name.startsWith(SESSION_PREFIX);
}

/** True for `user:<id>` channels, which only `<id>` may read and legacy listeners never see. */
export function isPrivateChannel(name: string): boolean {
  return name.startsWith(PRIVATE_PREFIX);
}

/** True when `sub` may use `channel` as far as privacy goes: any public channel, and its own {@link userChannel}. */
export function ownsOrPublic(sub: string, channel: string): boolean {
  return !isPrivateChannel(channel) || channel === userChannel(sub);
}
