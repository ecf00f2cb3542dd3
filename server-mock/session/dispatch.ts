import { RtcErrorCode, quote, type Json, type RtcError } from '../../protocol/index.js';
import { CommandError, StoreUnavailableError } from '../errors.js';
import type { Clock } from '../ops/clock.js';
import type { Logger } from '../ops/log.js';
import type { Authentication } from './authentication.js';
import type { Publishing } from './publishing.js';
import type { Subscriptions } from './subscriptions.js';

/** What commands act on: the connection's identity, its subscriptions, its publishes. */
export interface CommandTargets {
  auth: Authentication;
  subscriptions: Subscriptions;
  publishing: Publishing;
  clock: Clock;
  log: Logger;
}

/**
 * Runs a connection's commands: `jwt replace` at any time, the others once
 * authenticated. Every failure becomes the RTC error the client is answered
 * with; what it cannot explain is logged and answered as internal.
 */
export class Dispatch {
  constructor(private readonly targets: CommandTargets) {}

  /** Runs `command`; resolves with its response or its error, never rejects. */
  async run(command: string, args: unknown, id: Json | undefined): Promise<{ response: Json } | { error: RtcError }> {
    const { auth, log, publishing } = this.targets;
    try {
      return { response: await this.execute(command, args, id) };
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        log.warn('store_unavailable', { command, user: auth.identity?.sub, error: error.message });
        if (command === 'publish') publishing.rejected(auth.identity?.sub ?? '', args, new CommandError(RtcErrorCode.Internal, error.message));
        return { error: { code: RtcErrorCode.Internal, info: error.message } };
      }
      if (!(error instanceof CommandError)) {
        log.error('command_failed', { command, error: String(error) });
        return { error: { code: RtcErrorCode.Internal, info: 'internal error' } };
      }
      if (command === 'publish') publishing.rejected(auth.identity?.sub ?? '', args, error);
      return { error: { code: error.rtcCode, info: error.info } };
    }
  }

  private async execute(command: string, args: unknown, id: Json | undefined): Promise<Json> {
    const { auth, subscriptions, publishing, clock } = this.targets;
    if (command === 'jwt replace') return auth.replace(args);
    const identity = auth.identity;
    if (!identity) throw new CommandError(RtcErrorCode.InvalidToken, 'authenticate first: send jwt replace with a token');
    switch (command) {
      case 'subscribe':
        return subscriptions.subscribe(identity, args);
      case 'unsubscribe':
        return subscriptions.unsubscribe(args);
      case 'publish':
        return publishing.publish(identity, args, id);
      case 'ping':
        return { pong: true, time: clock.now() };
      default:
        throw new CommandError(RtcErrorCode.UnknownCommand, `unknown command ${quote(command)}`);
    }
  }
}
