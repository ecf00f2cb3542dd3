import { concreteActions, type CompiledFilter, type RecoveryFailure, type ResourceRef, type StreamPosition } from '../../protocol/index.js';
import type { HistoryStore, Recovery } from './history.js';
import { eventOf, plainFrame, type StoredEvent } from './event-frame.js';
import type { Logger } from '../ops/log.js';

/**
 * Where a stream's events go for one subscriber: its one outbound writer,
 * bounded. Live events, held events and replays all go through it.
 */
export interface Subscriber {
  /** Sends a frame; false when it could not (the subscriber is gone, or too slow and now being closed). */
  write(frame: string): boolean;
  /** Sends a replayed frame at the pace the subscriber reads; resolves false when the replay cannot go on. */
  writePaced(frame: string): Promise<boolean>;
  /** Most bytes that may wait for this subscriber; live events held back while it subscribes count too. */
  readonly maxBuffered: number;
  /** Closes the subscriber as a slow consumer. */
  tooSlow(): void;
}

/** Most bus events kept while no subscription here knows the stream's position yet (see {@link Stream.wait}). */
const MAX_EARLY = 10_000;

/** What one subscription of a subscriber to a stream asks for. */
export interface SubscribeOptions {
  /** Actions added to what it receives (channels: `published`; resources: some of created, updated, deleted, or `all` for each). */
  actions: readonly string[];
  /**
   * Whether its frames carry rtm-kit's extension fields (`offset`, `epoch`); once asked for, they stay, since a
   * client relies on them to recover. Without, it gets exactly RTC's frames.
   */
  positions?: boolean;
  /** Its filter on the stream, replacing any before; none: every event of its actions. */
  filter?: CompiledFilter;
  /** Where it resumes: the events after this position are replayed before any live one. */
  since?: StreamPosition;
}

/** Where a subscription starts: the stream's position, and with `since` whether the replay covered the gap. */
export type Subscribed =
  | { position: StreamPosition; recovered?: undefined }
  | { position: StreamPosition; recovered: true }
  | { position: StreamPosition; recovered: false; reason: RecoveryFailure; info: string };

/** One subscriber of a stream. */
interface Member {
  /** The actions it receives, `all` written out. */
  actions: Set<string>;
  positions: boolean;
  filter: CompiledFilter | undefined;
  /**
   * The last position settled for it: nothing at or before it is sent again. Set to the stream's position when it
   * subscribes (what is before was replayed, or predates it), then to each event sent.
   */
  epoch: string | undefined;
  offset: number;
  /** While it subscribes: the live events held back until its position is read and any replay is out. */
  held: { events: StoredEvent[]; bytes: number } | undefined;
}

/**
 * One resource's (or channel's) stream on this instance: it owns the order
 * and exactly-once delivery of the stream's events to its subscribers here.
 *
 * - Subscribing reads the stream's position (with `since`, the events after
 *   it) while live events are held back; the replay goes out first, paced by
 *   what the subscriber reads, then the held events after the position, then
 *   live ones. Each subscriber has a cursor: an event at or before it (the
 *   replay's, or a late copy from the bus) is never sent twice.
 * - On a shared bus, events arrive in offset order per stream; a gap (bus
 *   messages this instance missed) is filled from history before anything
 *   after it is handed out.
 *
 * The events of one stream are appended in order by the history store; this
 * hands them out in the same order to every subscriber.
 */
export class Stream {
  private readonly members = new Map<Subscriber, Member>();
  /**
   * With a bus: the last event handed out, and while a gap is filled from
   * history, the events that arrived meanwhile and wait behind it.
   */
  private heard: { epoch: string; offset: number; waiting?: StoredEvent[] } | undefined;
  /**
   * With a bus: events that arrived before any subscription here knew the stream's position. Until then a gap
   * before them could not be seen; the first position read tells what came before.
   */
  private early: StoredEvent[] | undefined;

  constructor(
    readonly resource: ResourceRef,
    private readonly history: HistoryStore,
    /** Called with every event handed out, in order (the hub's taps). */
    private readonly handedOut: (event: StoredEvent) => void,
    /** Called when the stream has no subscribers left and nothing in flight: it can be forgotten. */
    private readonly idle: (stream: Stream) => void,
    private readonly log: Logger,
  ) {}

  /** Number of subscribers. */
  get size(): number {
    return this.members.size;
  }

  /** Whether the stream has no subscribers and fills no gap. */
  get unused(): boolean {
    return this.members.size === 0 && !this.heard?.waiting;
  }

  /** Where the stream stood when a subscription here first read it: what the bus brings next follows it. */
  private start(position: StreamPosition): void {
    if (this.heard) return;
    // Reads of one store are answered in the order they were made: a later subscription's position is not before this one.
    this.heard = { epoch: position.epoch, offset: position.offset };
    const early = this.early ?? [];
    this.early = undefined;
    for (const event of early) this.receive(event);
  }

  /**
   * Subscribes `subscriber` (again: actions add up, the filter is replaced)
   * and starts it at the stream's position, replaying what followed `since`
   * first. Rejects when history cannot be read; a new subscription is then
   * undone, and one held before keeps its live events.
   */
  async subscribe(subscriber: Subscriber, options: SubscribeOptions): Promise<Subscribed> {
    let member = this.members.get(subscriber);
    const fresh = member === undefined;
    if (!member) {
      member = { actions: new Set(), positions: false, epoch: undefined, offset: 0, filter: undefined, held: undefined };
      this.members.set(subscriber, member);
    }
    for (const action of concreteActions(options.actions)) member.actions.add(action);
    if (options.positions) member.positions = true;
    member.filter = options.filter;
    // Live events are held from now until the position is read and any replay is out: none overtakes the replay.
    const held = { events: [] as StoredEvent[], bytes: 0 };
    member.held = held;
    const { since } = options;
    let recovery: Recovery | undefined;
    let position: StreamPosition;
    try {
      if (since === undefined) position = await this.history.position(this.resource);
      else ({ position } = recovery = await this.history.since(this.resource, since));
    } catch (error) {
      member.held = undefined;
      if (fresh) this.remove(subscriber);
      else this.release(subscriber, member, held.events);
      throw error;
    }
    this.start(position);
    if (recovery?.recovered && this.members.get(subscriber) === member) {
      for (const event of recovery.events) {
        if (this.wants(member, event) && !(await subscriber.writePaced(frameFor(member, event)))) break;
      }
    }
    member.held = undefined;
    // What the position counts was replayed or predates the subscription; a subscription held before, asked for no
    // replay, is still owed the events it was held back from.
    if (fresh || since !== undefined) this.settle(member, position);
    if (this.members.get(subscriber) === member) this.release(subscriber, member, held.events);
    if (!recovery) return { position };
    if (recovery.recovered) return { position, recovered: true };
    return { position, recovered: false, reason: recovery.reason, info: recovery.info };
  }

  /**
   * Takes `actions` (all when omitted) out of what `subscriber` receives; returns true when it holds nothing of the
   * stream any more. The set is exact: taking `updated` out of `all` leaves `created` and `deleted`.
   */
  unsubscribe(subscriber: Subscriber, actions?: readonly string[]): boolean {
    const member = this.members.get(subscriber);
    if (!member) return true;
    if (actions === undefined) member.actions.clear();
    else for (const action of concreteActions(actions)) member.actions.delete(action);
    if (member.actions.size > 0) return false;
    this.remove(subscriber);
    return true;
  }

  /** An event this instance appended, without a bus: handed out now. Returns how many subscribers want it. */
  publish(event: StoredEvent): number {
    return this.handOut(event);
  }

  /** How many subscribers want `event` (sent or not). */
  count(event: StoredEvent): number {
    let count = 0;
    for (const member of this.members.values()) if (this.wants(member, event)) count += 1;
    return count;
  }

  /** An event from the bus: handed out in offset order, a gap before it filled from history first. */
  receive(event: StoredEvent): void {
    const last = this.heard;
    if (!last) return this.wait(event);
    if (last.waiting) return void last.waiting.push(event);
    if (last.epoch === event.epoch) {
      if (event.offset <= last.offset) return;
      if (event.offset > last.offset + 1) return this.fill({ epoch: last.epoch, offset: last.offset, waiting: [event] });
    }
    // A new epoch starts at offset 1 (the store lost the stream): a later first offset means this instance missed the start.
    if (last.epoch !== event.epoch && event.offset > 1) return this.fill({ epoch: event.epoch, offset: 0, waiting: [event] });
    this.heard = { epoch: event.epoch, offset: event.offset };
    this.handOut(event);
  }

  /**
   * Keeps a bus event until a subscription here knows the stream's position. Bounded: past {@link MAX_EARLY} events
   * (a position read that takes very long), the stream starts from the first one, without looking for a gap before it.
   */
  private wait(event: StoredEvent): void {
    const early = (this.early ??= []);
    early.push(event);
    if (early.length <= MAX_EARLY) return;
    this.start({ epoch: early[0]!.epoch, offset: early[0]!.offset - 1 });
  }

  /** Reads what the bus skipped from history, then hands it out with what arrived meanwhile, in order. */
  private fill(gap: { epoch: string; offset: number; waiting: StoredEvent[] }): void {
    this.heard = gap;
    const { resource } = this;
    const missed = gap.waiting[0]!.offset - gap.offset - 1;
    const replay = this.history.since(resource, { epoch: gap.epoch, offset: gap.offset }).then(
      (recovery) => {
        if (recovery.recovered) return recovery.events;
        this.log.warn('bus_gap_lost', { resource, missed, reason: recovery.reason });
        return [];
      },
      (error: unknown) => {
        this.log.warn('bus_gap_lost', { resource, missed, error: String(error) });
        return [];
      },
    );
    void replay.then((events) => {
      this.heard = { epoch: gap.epoch, offset: gap.offset };
      if (events.length > 0) this.log.info('bus_gap_filled', { resource, missed });
      for (const event of events) this.receive(event);
      // A gap history no longer covers is given up (and was logged): the stream goes on from the first event waiting.
      const first = gap.waiting[0]!;
      const heard = this.heard!;
      if (!heard.waiting && (heard.epoch !== first.epoch || heard.offset < first.offset - 1)) this.heard = { epoch: first.epoch, offset: first.offset - 1 };
      // What was waiting may itself lie past a second gap: its bus message can overtake the read's answer, which
      // travels on another connection. receive() sees that gap, and fills it in turn.
      for (const event of gap.waiting) this.receive(event);
      if (this.unused) this.idle(this);
    });
  }

  /** Gives `event` to every subscriber that wants it, or holds it for those still subscribing; returns how many want it. */
  private handOut(event: StoredEvent): number {
    let count = 0;
    for (const [subscriber, member] of this.members) {
      if (!this.wants(member, event)) continue;
      count += 1;
      const held = member.held;
      if (!held) {
        this.send(subscriber, member, event);
        continue;
      }
      held.events.push(event);
      held.bytes += event.frame.length;
      if (held.bytes > subscriber.maxBuffered) subscriber.tooSlow();
    }
    this.handedOut(event);
    return count;
  }

  /** Sends `event` unless it is not after the subscriber's cursor. */
  private send(subscriber: Subscriber, member: Member, event: StoredEvent): void {
    if (member.epoch === event.epoch && event.offset <= member.offset) return;
    member.epoch = event.epoch;
    member.offset = event.offset;
    subscriber.write(frameFor(member, event));
  }

  /** Sends the events held back while the subscriber subscribed, those after its cursor. */
  private release(subscriber: Subscriber, member: Member, events: StoredEvent[]): void {
    for (const event of events) this.send(subscriber, member, event);
  }

  /** Moves the subscriber's cursor to `position` unless it is past it already. */
  private settle(member: Member, position: StreamPosition): void {
    if (member.epoch === position.epoch && member.offset >= position.offset) return;
    member.epoch = position.epoch;
    member.offset = position.offset;
  }

  private wants(member: Member, event: StoredEvent): boolean {
    if (!member.actions.has(event.action)) return false;
    return !member.filter || member.filter.test(eventOf(event));
  }

  private remove(subscriber: Subscriber): void {
    this.members.delete(subscriber);
    if (!this.unused) return;
    // Nobody here read the stream's position (their reads failed): what arrived early is only for the taps now.
    for (const event of this.early ?? []) this.handedOut(event);
    this.early = undefined;
    this.idle(this);
  }
}

/** The frame of `event` for `member`: with its position only if it asked for positions. */
function frameFor(member: Member, event: StoredEvent): string {
  return member.positions ? event.frame : plainFrame(event);
}
