import { LinkHost } from './host.js';
import type { HostMessage, TabMessage } from './messages.js';
import { onPage, randomId, type BroadcastChannelConstructor, type LockManagerLike, type MessageTarget } from './platform.js';
import type { Transport, TransportEvents } from './transport.js';

/** What goes over a user's BroadcastChannel. */
type Envelope =
  /** A tab asks who the host is. */
  | { who: true }
  /** The host announces itself. */
  | { host: string }
  /** A message to the host `host`. */
  | { to: 'host'; host: string; m: TabMessage }
  /** A message from host `from` to tab `to`. */
  | { to: string; from: string; m: HostMessage };

interface Leading {
  id: string;
  host: LinkHost;
  /** Frees the leader lock. */
  release: () => void;
  /** Stops waiting on the followers' locks. */
  stop: AbortController;
  watched: Set<string>;
}

/**
 * Leader election for one user's link: every tab asks for the same Web Lock;
 * the tab that holds it runs the {@link LinkHost} and talks to the others
 * over a BroadcastChannel. A tab that closes or crashes frees the lock, and
 * the next tab in line takes over at once. A tab about to be frozen steps
 * down first, and queues again when it resumes.
 */
class Election {
  private host: string | undefined;
  private leading: Leading | undefined;
  private campaigning = false;
  private frozen = false;
  private readonly channel: MessageTarget & { close(): void };

  constructor(
    private readonly key: string,
    private readonly tab: string,
    Channel: BroadcastChannelConstructor,
    private readonly locks: LockManagerLike,
    private readonly events: TransportEvents,
  ) {
    this.channel = new Channel(`rtm-kit:${key}`);
    this.channel.onmessage = ({ data }) => this.heard(data as Envelope);
    this.campaign();
    this.post({ who: true });
    onPage('freeze', () => {
      this.frozen = true;
      this.stepDown();
    });
    onPage('resume', () => {
      this.frozen = false;
      this.campaign();
    });
  }

  send(message: TabMessage): void {
    const leading = this.leading;
    // Never synchronous, not even to the host in this tab: a client must finish sending before it hears the answer.
    if (leading) queueMicrotask(() => this.leading === leading && leading.host.receive(message));
    else if (this.host) this.post({ to: 'host', host: this.host, m: message });
  }

  close(): void {
    this.stepDown();
    this.channel.onmessage = null;
    this.channel.close();
  }

  private campaign(): void {
    if (this.campaigning || this.frozen) return;
    this.campaigning = true;
    void this.locks.request(`rtm-kit:leader:${this.key}`, {}, () => new Promise<void>((release) => this.lead(release)));
  }

  private lead(release: () => void): void {
    if (this.frozen) return release();
    const id = randomId();
    const host = new LinkHost({
      post: (tab, message) => {
        if (tab === this.tab) queueMicrotask(() => this.leading?.id === id && this.events.message(message));
        else this.post({ to: tab, from: id, m: message });
      },
    });
    this.leading = { id, host, release, stop: new AbortController(), watched: new Set() };
    this.elected(id);
    this.post({ host: id });
  }

  private stepDown(): void {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.campaigning = false;
    leading.stop.abort();
    leading.host.close();
    leading.release();
    this.elected(undefined);
  }

  private elected(host: string | undefined): void {
    this.host = host;
    // Not inside the lock's callback: whatever the clients do on a handover must not cost this tab its lock.
    queueMicrotask(() => this.events.hostChanged(this.key));
  }

  /** The leader learns that a follower closed or crashed when its lock becomes free. */
  private watch(leading: Leading, tab: string): void {
    if (leading.watched.has(tab)) return;
    leading.watched.add(tab);
    this.locks
      .request(`rtm-kit:tab:${tab}`, { signal: leading.stop.signal }, () => {
        leading.watched.delete(tab);
        leading.host.gone(tab);
      })
      .catch(() => {
        // Aborted: this tab stepped down.
      });
  }

  private heard(envelope: Envelope): void {
    const leading = this.leading;
    if ('who' in envelope) {
      if (leading) this.post({ host: leading.id });
    } else if ('host' in envelope && !('to' in envelope)) {
      if (envelope.host !== this.host && !leading) this.elected(envelope.host);
    } else if (envelope.to === 'host') {
      if (leading && 'host' in envelope && envelope.host === leading.id) {
        this.watch(leading, envelope.m.tab);
        leading.host.receive(envelope.m);
      }
    } else if (envelope.to === this.tab && 'from' in envelope && envelope.from === this.host) {
      this.events.message(envelope.m);
    }
  }

  private post(envelope: Envelope): void {
    this.channel.postMessage(envelope);
  }
}

/** Leader election with Web Locks and BroadcastChannel, one election per user. */
export class ElectionTransport implements Transport {
  readonly mode = 'election';
  private readonly elections = new Map<string, Election>();

  constructor(
    private readonly tab: string,
    private readonly Channel: BroadcastChannelConstructor,
    private readonly locks: LockManagerLike,
    private readonly events: TransportEvents,
  ) {}

  join(key: string): void {
    if (!this.elections.has(key)) this.elections.set(key, new Election(key, this.tab, this.Channel, this.locks, this.events));
  }

  send(key: string, message: TabMessage): void {
    this.elections.get(key)?.send(message);
  }

  close(): void {
    for (const election of this.elections.values()) election.close();
    this.elections.clear();
  }
}
