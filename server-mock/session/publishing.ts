import { RtcErrorCode, isObject, quote, toChannelMessage, type Json } from '../../protocol/index.js';
import type { Identity } from '../auth/tokens.js';
import { refusalText, type Policy } from '../auth/policy.js';
import { isSessionChannel } from '../auth/channels.js';
import { CommandError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import type { Publisher } from '../streams/publisher.js';
import { fingerprint, type PublishLedger } from './publish-ledger.js';

/** What the publish command needs from the server. */
export interface PublishingContext {
  policy: Policy;
  /** Sends channel messages, with their metric and message log line. */
  publisher: Publisher;
  /** Remembers publishes by correlation ID, so a re-sent one goes out once. */
  ledger: PublishLedger;
  metrics: Metrics;
}

/**
 * The publish command of one connection: checks the channel and the right
 * to publish on it, sends the message once however often it is re-sent
 * with the same correlation ID, and logs a refused one.
 */
export class Publishing {
  constructor(private readonly ctx: PublishingContext) {}

  /** Publishes `args.data` on `args.channel` as `identity`; `id` is the command's correlation ID. */
  async publish(identity: Identity, args: unknown, id: Json | undefined): Promise<Json> {
    if (!isObject(args) || !('data' in args) || !('channel' in args)) throw new CommandError(RtcErrorCode.Formatting, 'publish needs arguments.channel and arguments.data');
    const refusal = this.ctx.policy.checkChannel(args.channel);
    if (refusal) throw CommandError.from(refusal);
    const channel = args.channel as string;
    if (!this.ctx.policy.mayPublish(identity, channel)) throw new CommandError(RtcErrorCode.Unauthorized, refusalText(identity.sub, { type: 'channel', name: channel }, ['publish']));
    const data = args.data as Json;
    const publish = async (): Promise<Json> => {
      if (isSessionChannel(channel)) await this.sendDirect(channel, data, identity.sub);
      else await this.ctx.publisher.publish(channel, data, identity.sub, 'rtc');
      return {};
    };
    if (id === undefined) return publish();
    // A publish re-sent after its acknowledgement was lost carries the same correlation ID: answer it again, publish it once.
    const { response, repeated } = await this.ctx.ledger.once(identity.sub, id, fingerprint(channel, data), publish);
    if (repeated) this.ctx.metrics.publishRepeats.inc();
    return response;
  }

  /** Writes the message log line of a publish that was refused with `error`. */
  rejected(sender: string, args: unknown, error: CommandError): void {
    if (!isObject(args)) return;
    this.ctx.publisher.rejected(sender, args.channel, toChannelMessage(args.data).eventName, { code: error.rtcCode, info: error.info });
  }

  /** A publish to `session:<id>`: to that one connection, on whichever instance holds it; nothing is kept in history. */
  private async sendDirect(channel: string, data: Json, sender: string): Promise<void> {
    const id = channel.slice(channel.indexOf(':') + 1);
    if (!(await this.ctx.publisher.direct(id, data, sender, 'rtc'))) throw new CommandError(RtcErrorCode.UnknownResourceName, `session ${quote(id)} is not connected`);
  }
}
