import { describe, expect, it } from 'vitest';
import type { Json, EventData } from '../../protocol/index.js';
import { ResumableSubscriptions } from './resumable-subscriptions.js';

// The host's subscriptions, driven by hand: each subscribe is answered by the test, as the server would (replay first,
// then the response), so the order of replays, live events and responses is exact.

interface Sent {
  args: { since?: { epoch: string; offset: number } };
  answer: (response: Json) => void;
}

function setup(open = true) {
  const sent: Sent[] = [];
  let isOpen = open;
  const subscriptions = new ResumableSubscriptions({
    request: (command, args) =>
      command === 'subscribe' ? new Promise<Json>((answer) => sent.push({ args: args as Sent['args'], answer })) : Promise.resolve({}),
    isOpen: () => isOpen,
    report: (error) => {
      throw error;
    },
    recovered: () => {},
  });
  const event = (offset: number): EventData => ({ action: 'published', resource: { type: 'channel', name: 'c' }, timestamp: '', data: { eventName: null, payload: offset }, epoch: 'e', offset });
  const tab = (since?: number, epoch = 'e') => {
    const got: number[] = [];
    const confirmed: Json[] = [];
    subscriptions.resume({ type: 'channel', name: 'c' }, ['published'], (e) => got.push(e.offset!), {
      ...(since === undefined ? {} : { since: { epoch, offset: since } }),
      confirmed: (response) => confirmed.push(response as Json),
      failed: (error) => {
        throw error;
      },
    });
    return { got, confirmed };
  };
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { subscriptions, sent, event, tab, flush, open: () => ((isOpen = true), subscriptions.resubscribe()) };
}

describe('ResumableSubscriptions (the shared host)', () => {
  it('tabs that join before the link opens share one subscribe, sent with the position of the tab furthest behind', async () => {
    const { sent, event, tab, flush, subscriptions, open } = setup(false);
    const ahead = tab(7);
    const behind = tab(4);
    open();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args.since).toEqual({ epoch: 'e', offset: 4 });
    for (const offset of [5, 6, 7, 8]) subscriptions.dispatch(event(offset));
    sent[0]!.answer({ epoch: 'e', offset: 8, recovered: true });
    await flush();
    expect(behind.got).toEqual([5, 6, 7, 8]);
    expect(ahead.got).toEqual([8]);
    expect(ahead.confirmed).toEqual([{ epoch: 'e', offset: 8, recovered: true }]);
    expect(behind.confirmed).toEqual([{ epoch: 'e', offset: 8, recovered: true }]);
  });

  it('a tab that joins behind a live subscription gets what it missed, once, while the others get no repeat', async () => {
    const { sent, event, tab, flush, subscriptions } = setup();
    const first = tab();
    sent[0]!.answer({ epoch: 'e', offset: 10 });
    await flush();
    expect(first.confirmed).toEqual([{ epoch: 'e', offset: 10 }]);
    subscriptions.dispatch(event(11));
    subscriptions.dispatch(event(12));
    const late = tab(9);
    // Sent again for the late tab; live events keep coming before the server handles it.
    expect(sent).toHaveLength(2);
    expect(sent[1]!.args.since).toEqual({ epoch: 'e', offset: 9 });
    expect(late.confirmed).toEqual([]);
    subscriptions.dispatch(event(13));
    for (const offset of [10, 11, 12, 13]) subscriptions.dispatch(event(offset));
    sent[1]!.answer({ epoch: 'e', offset: 13, recovered: true });
    await flush();
    subscriptions.dispatch(event(14));
    expect(first.got).toEqual([11, 12, 13, 14]);
    expect(late.got).toEqual([10, 11, 12, 13, 14]);
    expect(late.confirmed).toEqual([{ epoch: 'e', offset: 13, recovered: true }]);
  });

  it('a tab that is not behind is confirmed at once, and a later resubscribe asks from the lowest position', async () => {
    const { sent, event, tab, flush, subscriptions, open } = setup();
    tab(3);
    sent[0]!.answer({ epoch: 'e', offset: 5, recovered: true });
    await flush();
    subscriptions.dispatch(event(4));
    subscriptions.dispatch(event(5));
    const second = tab(5);
    expect(second.confirmed).toEqual([{ epoch: 'e', offset: 5, recovered: true }]);
    expect(sent).toHaveLength(1);
    subscriptions.suspend();
    open();
    expect(sent[1]!.args.since).toEqual({ epoch: 'e', offset: 5 });
  });

  it('a tab that joins while a subscribe for another tab is under way waits for it, though the subscription says subscribed', async () => {
    const { sent, event, tab, flush, subscriptions } = setup();
    tab();
    // The first subscribe's replay and a live event held behind it, then a tab behind them all: subscribed again since 9.
    for (const offset of [11, 12, 13]) subscriptions.dispatch(event(offset));
    tab(9);
    expect(sent[1]!.args.since).toEqual({ epoch: 'e', offset: 9 });
    sent[0]!.answer({ epoch: 'e', offset: 12 });
    await flush();
    // Subscribed, at 12, while the second subscribe is under way: a live event comes before its replay of 10 to 14.
    const late = tab(12);
    subscriptions.dispatch(event(14));
    for (const offset of [10, 11, 12, 13, 14]) subscriptions.dispatch(event(offset));
    sent[1]!.answer({ epoch: 'e', offset: 14, recovered: true });
    await flush();
    subscriptions.dispatch(event(15));
    expect(late.got).toEqual([13, 14, 15]);
    expect(late.confirmed).toEqual([{ epoch: 'e', offset: 14, recovered: true }]);
  });

  it('a tab sent more events than it can hold in order while it waits is told that some may be lost', async () => {
    const { sent, event, tab, flush, subscriptions } = setup();
    tab();
    sent[0]!.answer({ epoch: 'e', offset: 10 });
    await flush();
    subscriptions.dispatch(event(11));
    const late = tab(5);
    for (let offset = 12; offset <= 10_012; offset++) subscriptions.dispatch(event(offset));
    sent[1]!.answer({ epoch: 'e', offset: 10_012, recovered: true });
    await flush();
    expect(late.confirmed).toEqual([{ epoch: 'e', offset: 10_012, recovered: false, reason: 'expired', info: expect.stringContaining('some may be lost') }]);
    subscriptions.dispatch(event(10_013));
    expect(late.got.at(-1)).toBe(10_013);
  });

  it('a tab whose position is of a stream since reset is told its events are lost, though the subscribe recovered another tab', async () => {
    const { sent, tab, flush } = setup();
    tab();
    sent[0]!.answer({ epoch: 'f', offset: 10 });
    await flush();
    // A tab that last saw the stream before the server lost it: the subscribe asks from the other tab's position, in the new epoch.
    const old = tab(4, 'e');
    expect(sent[1]!.args.since).toEqual({ epoch: 'f', offset: 10 });
    sent[1]!.answer({ epoch: 'f', offset: 10, recovered: true });
    await flush();
    expect(old.confirmed).toEqual([{ epoch: 'f', offset: 10, recovered: false, reason: 'epoch', info: expect.any(String) }]);
  });
});
