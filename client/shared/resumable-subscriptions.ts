import type { RtmError } from '../errors.js';
import { advance, positionOf, type EventAction, type EventData, type ResourceRef, type StreamPosition, type SubscribeResponse, type Filter } from '../../protocol/index.js';
import { Subscriptions, type Entry, type Recovery, type SubscriptionState } from '../subscriptions.js';

/**
 * A listener that joins from another tab and resumes a stream: it has seen
 * everything up to `since`, and learns, as a subscribe response would say it,
 * where the subscription stands for it once the server confirmed it.
 */
export interface Resume {
  /** The last event the listener saw, if any. */
  since?: StreamPosition;
  /** The subscription stands for this listener: its position, and with `since`, whether what it missed was recovered. */
  confirmed: (response: SubscribeResponse) => void;
  /** The server refused it. */
  failed: (error: RtmError) => void;
}

/** One resuming listener: where it stands, and what waits for the server's word. */
interface Joined {
  position: StreamPosition | undefined;
  /** Set until confirmed. `from`: the first subscribe whose response may confirm it (an earlier one did not ask for its events). */
  waiting?: Resume & { from: number };
  /**
   * Events held while a listener that joined an existing subscription waits: what reaches the subscription before
   * the answer it waits for (live events, the replay of an earlier subscribe that starts after its position) may come
   * ahead of the replay that brings it older ones, so they are put in order first.
   */
  held?: EventData[];
  /** More than {@link MAX_HELD} came while it waited: delivered as they came, some may be lost, and it is told so. */
  overflowed?: boolean;
}

type Listener = (event: EventData) => void;

/** Most events held for one listener that waits for a replay; past it they are delivered as they are (in order), and the listener is told it may have lost some. */
const MAX_HELD = 10_000;

/**
 * What a listener lost that the server's answer does not say: events it was sent past its hold (delivered as they
 * came, so an older one may have been dropped as a repeat), or a stream that was reset since its position (the
 * subscribe asked for another listener's position, in the new epoch, and recovered that one only).
 */
function lossOf(state: Joined, since: StreamPosition | undefined, at: StreamPosition | undefined, recovery: Recovery | undefined): SubscribeResponse | undefined {
  if (state.overflowed) return { recovered: false, reason: 'expired', info: `more than ${MAX_HELD} events arrived while this tab resumed; some may be lost` };
  if (since && at && since.epoch !== at.epoch && recovery?.recovered !== false) return { recovered: false, reason: 'epoch', info: 'the stream was reset since this tab last saw it' };
  return undefined;
}

/** Delivers what `state` held, oldest first, and holds no more. */
function release(state: Joined, own: Listener): void {
  const held = state.held ?? [];
  state.held = undefined;
  for (const event of held.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0))) own(event);
}

/**
 * The shared client's subscriptions: one server subscription per resource and
 * action set, as in every client, but each listener (a tab) resumes from its
 * own stream position and drops what it has already seen. So a subscription
 * may be sent again for older events (a tab that was behind at a handover)
 * with no repeat and no gap for anyone; and every (re)subscribe asks for the
 * events after the position of the listener furthest behind.
 */
export class ResumableSubscriptions extends Subscriptions {
  private readonly joined = new Map<string, Map<Listener, Joined>>();
  private readonly sends = new WeakMap<Entry, number>();
  /** The number of the last subscribe answered (or given up on a lost link), per entry. */
  private readonly answered = new WeakMap<Entry, number>();
  private readonly lastRecovery = new WeakMap<Entry, Recovery>();
  private readonly failures = new WeakMap<Entry, RtmError>();

  /** Adds a listener that resumes after `resume.since`; returns the function that removes it. */
  resume(resource: ResourceRef, actions: EventAction[], listener: Listener, resume: Resume, filter?: Filter): () => void {
    const { since } = resume;
    const state: Joined = { position: since };
    const own: Listener = (event) => {
      if (state.held && state.held.push(event) <= MAX_HELD) return;
      if (state.held) {
        state.overflowed = true;
        return release(state, own);
      }
      const at = positionOf(event);
      if (at) {
        const next = advance(state.position, at);
        if (!next) return;
        state.position = next;
      }
      listener(event);
    };
    const key = JSON.stringify([resource.type, resource.name, [...new Set(actions)].sort()]);
    const existing = this.entries.get(key);
    const at = existing?.position;
    const sent = existing ? (this.sends.get(existing) ?? 0) : 0;
    // Settled: subscribed, and no subscribe under way whose replay could still bring events older than live ones.
    const settled = existing?.state === 'subscribed' && (this.answered.get(existing) ?? 0) >= sent;
    // Behind: this tab saw less than the shared subscription has delivered (or is about to, from a subscribe under way).
    const behind = since !== undefined && existing !== undefined && (at ? at.epoch !== since.epoch || since.offset < at.offset : !settled);
    if (settled && !behind) {
      state.position ??= at;
      resume.confirmed({ ...(state.position ?? at), ...(since ? { recovered: true } : {}) });
    } else {
      // Only the last subscribe sent replays from at or before this listener's position: an earlier one may have
      // replayed part of its gap before it joined, and its answer would tell the tab it stands past events it never got.
      state.waiting = { ...resume, from: behind ? sent + 1 : sent };
    }
    if (existing && state.waiting) state.held = [];
    let listeners = this.joined.get(key);
    if (!listeners) this.joined.set(key, (listeners = new Map()));
    listeners.set(own, state);
    const off = super.add(resource, actions, own, filter);
    if (existing && behind && this.deps.isOpen()) void this.subscribe(key, existing);
    return () => {
      off();
      listeners.delete(own);
      if (!listeners.size && this.joined.get(key) === listeners) this.joined.delete(key);
    };
  }

  override dispatch(event: EventData): void {
    // Each listener drops its own repeats: the subscription as a whole lets older events through (a replay for a tab
    // that was behind), and keeps the furthest position it has delivered.
    // Only the entries of the event's resource: the others are not touched by it, and scanning them all per event would
    // cost as many steps as there are subscriptions.
    const entries = event.resource ? this.entriesOf(event.resource) : [];
    const kept = entries.map((entry) => entry.position);
    for (const entry of entries) entry.position = undefined;
    super.dispatch(event);
    entries.forEach((entry, i) => {
      const position = kept[i];
      if (!entry.position || (position && !advance(position, entry.position))) entry.position = position;
    });
  }

  protected override report(entry: Entry, recovery: Recovery): void {
    this.lastRecovery.set(entry, recovery);
    super.report(entry, recovery);
  }

  protected override setState(entry: Entry, state: SubscriptionState, error?: RtmError): void {
    if (error) this.failures.set(entry, error);
    super.setState(entry, state, error);
  }

  protected override subscribe(key: string, entry: Entry, update = false): Promise<void> {
    // A filter update asks for no replay and changes no state: nothing for a waiting tab.
    if (update) return super.subscribe(key, entry, true);
    const sent = (this.sends.get(entry) ?? 0) + 1;
    this.sends.set(entry, sent);
    const since = this.lowest(key) ?? entry.position;
    entry.position = since;
    if (since) entry.confirmed = true;
    this.lastRecovery.delete(entry);
    return super.subscribe(key, entry).then(() => {
      this.answered.set(entry, Math.max(this.answered.get(entry) ?? 0, sent));
      if (this.entries.get(key) !== entry || entry.state === 'subscribing') return;
      const recovery = this.lastRecovery.get(entry);
      for (const [own, state] of this.joined.get(key) ?? []) {
        const waiting = state.waiting;
        if (!waiting || waiting.from > sent) continue;
        state.waiting = undefined;
        if (entry.state === 'subscribed') release(state, own);
        state.held = undefined;
        if (entry.state === 'failed') {
          waiting.failed(this.failures.get(entry)!);
          continue;
        }
        const lost = lossOf(state, waiting.since, entry.position, recovery);
        state.overflowed = undefined;
        // A failed recovery starts over where the server stands; so does a listener that had seen nothing.
        if (!state.position || recovery?.recovered === false || lost) state.position = entry.position;
        const said = lost ?? (recovery && recovery.reason !== 'unsupported' ? (recovery as SubscribeResponse) : waiting.since ? { recovered: true } : {});
        waiting.confirmed({ ...entry.position, ...said });
      }
    });
  }

  /** The position of the listener furthest behind (listeners with none yet do not count). */
  private lowest(key: string): StreamPosition | undefined {
    let low: StreamPosition | undefined;
    for (const { position } of this.joined.get(key)?.values() ?? []) {
      if (position && (!low || (position.epoch === low.epoch && position.offset < low.offset))) low = position;
    }
    return low;
  }
}
