import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveness } from './liveness.js';
import { nextState, sleep } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';
import { createTimers } from './timers.js';

const { ctx, connect } = useScriptedServer();
afterEach(() => vi.useRealTimers());

describe('dead-link detection on a real socket', () => {
  it('a dead connection is noticed: a silent link is dropped within pingInterval + pingTimeout and reconnected', async () => {
    const client = connect({ pingInterval: 100, pingTimeout: 100 });
    await client.ready();
    // ready() may itself have pinged the server once (to learn the token was accepted): count from here.
    const before = ctx.server.commands('ping').length;
    ctx.server.reply = (r) => (r.command === 'ping' ? null : { response: {} }); // the link "hangs": nothing comes back
    const drop = await nextState(client, 'reconnecting');
    // The reason names the pong timeout, so the drop came from the liveness check, not from anything slower.
    expect(drop.reason).toMatch(/no pong within 100 ms/);
    expect(ctx.server.commands('ping').length - before).toBe(1);
    await nextState(client, 'open');
  });

  it('any frame counts as alive: no ping while events flow', async () => {
    // 1.5 s of traffic, well past the 1 s interval, with gaps of 60 ms: a stall of almost a second on a loaded
    // machine still does not open a silent gap, so only a client that ignored the events would ping.
    const client = connect({ pingInterval: 1_000, pingTimeout: 500 });
    await client.ready();
    for (let i = 0; i < 25; i++) {
      ctx.server.peers[0]!.event('x', i);
      await sleep(60);
    }
    expect(ctx.server.commands('ping')).toHaveLength(0);
    expect(client.state).toBe('open');
  });

  it('any command response counts as alive, even an error from a server without ping', async () => {
    const client = connect({ pingInterval: 60, pingTimeout: 60 });
    ctx.server.reply = (r) => (r.command === 'ping' ? { error: { code: 6, info: 'unknown command "ping"' } } : { response: {} });
    const states: string[] = [];
    client.on('state', ({ state }) => states.push(state));
    await client.ready();
    await ctx.server.until(() => ctx.server.commands('ping').length >= 3);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('background tab throttling: on becoming visible, the wall-clock deadline is checked at once', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const client = connect({ pingInterval: 25_000, pingTimeout: 10_000 });
    await client.ready();
    // The tab slept for a minute: the wall clock moved on, our timers did not fire.
    vi.setSystemTime(Date.now() + 60_000);
    ctx.environment.fire('visible');
    await ctx.server.until(() => ctx.server.commands('ping').length === 1);
  });

  it('on online while open, the link is probed at once (it may have died with the old network)', async () => {
    const client = connect({ pingInterval: 25_000 });
    await client.ready();
    ctx.environment.fire('online');
    await ctx.server.until(() => ctx.server.commands('ping').length === 1);
  });
});

describe('Liveness deadlines (fake clock)', () => {
  function watch(interval = 25_000, timeout = 10_000) {
    const timers = createTimers();
    const events: string[] = [];
    const liveness = createLiveness({ pingInterval: interval, pingTimeout: timeout }, timers, () => events.push('ping'), (reason) => events.push(`dead: ${reason}`));
    return { liveness, events, timers };
  }

  it('pings after interval of silence, declares dead after timeout without an answer', () => {
    vi.useFakeTimers();
    const { liveness, events, timers } = watch();
    liveness.heard();
    vi.advanceTimersByTime(24_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['ping']);
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual(['ping', 'dead: no pong within 10000 ms']);
    expect(timers.size()).toBe(0);
  });

  it('a frame before the deadline keeps the link alive', () => {
    vi.useFakeTimers();
    const { liveness, events } = watch();
    liveness.heard();
    vi.advanceTimersByTime(30_000);
    liveness.heard();
    vi.advanceTimersByTime(20_000);
    expect(events).toEqual(['ping']);
    liveness.stop();
  });

  it('frozen timers: after a sleep the deadline is judged by the wall clock, with one fresh ping before declaring death', () => {
    vi.useFakeTimers();
    const { liveness, events } = watch();
    liveness.heard();
    vi.advanceTimersByTime(25_000); // ping sent, then the laptop sleeps with the ping unanswered
    vi.setSystemTime(Date.now() + 3_600_000); // an hour passes; no timer ran
    liveness.check(); // woken by visibilitychange
    // The missed deadline says our timers were frozen, not that the server was silent: ask again.
    expect(events).toEqual(['ping', 'ping']);
    vi.advanceTimersByTime(10_000);
    expect(events.at(-1)).toMatch(/^dead/);
  });

  it('a busy link arms one timer, not one per frame, and still pings after the last frame’s interval of silence', () => {
    vi.useFakeTimers();
    const { liveness, events, timers } = watch();
    const set = vi.spyOn(timers, 'set');
    liveness.heard();
    for (let i = 0; i < 100; i++) {
      vi.advanceTimersByTime(100);
      liveness.heard();
    }
    expect(set).toHaveBeenCalledTimes(1);
    // The one timer fires at the first frame's deadline, finds a later one and waits for the rest.
    vi.advanceTimersByTime(24_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['ping']);
    expect(timers.size()).toBe(1);
    liveness.stop();
  });

  it('a frame during an unanswered ping re-arms for the silence deadline when the ping deadline is later', () => {
    vi.useFakeTimers();
    const { liveness, events } = watch(1_000, 5_000);
    liveness.heard();
    vi.advanceTimersByTime(1_000);
    expect(events).toEqual(['ping']);
    liveness.heard(); // the pong: the next ping is due 1 s from now, not when the ping would have timed out
    vi.advanceTimersByTime(1_000);
    expect(events).toEqual(['ping', 'ping']);
    liveness.stop();
  });

  it('stop() releases its timer and silences it', () => {
    vi.useFakeTimers();
    const { liveness, events, timers } = watch();
    liveness.heard();
    liveness.stop();
    expect(timers.size()).toBe(0);
    liveness.check();
    liveness.probe();
    vi.advanceTimersByTime(100_000);
    expect(events).toEqual([]);
  });
});
