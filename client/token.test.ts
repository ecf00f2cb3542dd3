import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnauthorizedError } from './errors.js';
import { fakeJwt, nextState, sleep } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';
import { createTokens, tokenExpiry } from './token.js';

const { ctx, connect } = useScriptedServer();
const inSeconds = (s: number): number => Math.floor(Date.now() / 1000) + s;
const notifyExpiring = (peer = ctx.server.peers.at(-1)!): void => peer.send({ type: 'notification', data: { code: 1, info: 'token is about to expire' } });

/** A token function handing out numbered JWTs valid for an hour, counting its calls. */
function numberedTokens(delay = 0) {
  const issued: string[] = [];
  const provider = async (): Promise<string> => {
    if (delay) await sleep(delay);
    const token = fakeJwt(inSeconds(3600), `u${issued.length + 1}`);
    issued.push(token);
    return token;
  };
  return { provider, issued };
}

afterEach(() => vi.useRealTimers());

describe('reading a token', () => {
  it('decodes exp from a JWT without verifying it, and tolerates anything else', () => {
    expect(tokenExpiry(fakeJwt(1_900_000_000))).toBe(1_900_000_000_000);
    for (const junk of ['opaque', 'a.b.c', 'a.!!!.c', '']) expect(tokenExpiry(junk)).toBeUndefined();
  });

  it('refreshes on its own 60 s before exp, or 10 % of the lifetime before it when shorter', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000_000_000);
    const hour = createTokens(() => fakeJwt(1_000_000_000 + 3600), () => {});
    const fiveMinutes = createTokens(() => fakeJwt(1_000_000_000 + 300), () => {});
    return Promise.all([hour.refresh(), fiveMinutes.refresh()]).then(() => {
      expect(hour.refreshAt()).toBe(1_000_000_000_000 + 3_540_000);
      expect(fiveMinutes.refreshAt()).toBe(1_000_000_000_000 + 270_000);
    });
  });

  it('a cached token is used for a new connection only while valid', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000_000_000);
    let calls = 0;
    const tokens = createTokens(() => fakeJwt(1_000_000_000 + 10 + calls++), () => {});
    const first = await tokens.current();
    expect(await tokens.current()).toBe(first);
    vi.setSystemTime(1_000_000_000_000 + 11_000);
    expect(await tokens.current()).not.toBe(first);
    expect(calls).toBe(2);
  });
});

describe('token lifecycle', () => {
  it('an expiring token does not kill channels: notification 1 → fresh token via jwt replace, link and subscriptions stay up', async () => {
    const { provider, issued } = numberedTokens();
    const client = connect({ token: provider });
    const events: Array<number | undefined> = [];
    client.on('token', ({ expires }) => events.push(expires));
    const got: unknown[] = [];
    client.channel('live').on((p) => got.push(p));
    await ctx.server.until(() => client.channel('live').state === 'subscribed');
    const states: string[] = [];
    client.on('state', ({ state }) => states.push(state));
    notifyExpiring();
    await ctx.server.until(() => ctx.server.commands('jwt replace').length === 1);
    expect(ctx.server.commands('jwt replace')[0]!.arguments).toEqual({ token: issued[1] });
    ctx.server.peers[0]!.event('live', 'still here');
    await ctx.server.until(() => got.length === 1);
    expect(states).toEqual([]);
    expect(events).toHaveLength(2);
    expect(ctx.server.peers).toHaveLength(1);
  });

  it('refreshes on its own before exp when no reminder comes', async () => {
    let n = 0;
    // Lifetime ~2 s: the own refresh is due ~0.2 s before exp.
    const client = connect({ token: () => fakeJwt(n++ === 0 ? inSeconds(2) : inSeconds(3600)) });
    await client.ready();
    await ctx.server.until(() => ctx.server.commands('jwt replace').length === 1, 3_000);
    expect(n).toBe(2);
  });

  it('refresh races: concurrent triggers coalesce into one call and one replace', async () => {
    const { provider, issued } = numberedTokens(30);
    const client = connect({ token: provider });
    await client.ready();
    notifyExpiring();
    notifyExpiring();
    notifyExpiring();
    await ctx.server.until(() => ctx.server.commands('jwt replace').length === 1);
    await sleep(60);
    expect(issued).toHaveLength(2);
    expect(ctx.server.commands('jwt replace')).toHaveLength(1);
  });

  it('refresh races: a refresh under way when the link closes is what the next connection uses; never the stale token', async () => {
    const { provider: numbered, issued } = numberedTokens();
    // The second token is held back until the link has closed: no race with the close, however loaded the machine.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const provider = async (): Promise<string> => {
      if (issued.length === 1) await held;
      return numbered();
    };
    const client = connect({ token: provider });
    await client.ready();
    notifyExpiring();
    ctx.server.peers[0]!.close(1012);
    await nextState(client, 'reconnecting');
    release();
    await nextState(client, 'open');
    expect(issued).toHaveLength(2);
    expect(ctx.server.peers[1]!.token).toBe(issued[1]);
    await sleep(30);
    // The fresh token went in the URL of the new link: no replace is sent for the old one.
    expect(ctx.server.commands('jwt replace')).toHaveLength(0);
  });

  it('close 4002 (token expired) reconnects with a freshly fetched token', async () => {
    const { provider, issued } = numberedTokens();
    const client = connect({ token: provider });
    await client.ready();
    ctx.server.peers[0]!.close(4002, 'token expired');
    await nextState(client, 'open');
    expect(issued).toHaveLength(2);
    expect(ctx.server.peers.map((p) => p.token)).toEqual(issued);
  });

  it('a failing token function is retried with backoff and each failure is emitted', async () => {
    let calls = 0;
    const client = connect({
      token: () => {
        if (++calls < 3) throw new Error('token service down');
        return 'ok';
      },
    });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e.code));
    await client.ready();
    expect(errors).toEqual(['token', 'token']);
    expect(ctx.server.peers[0]!.token).toBe('ok');
  });

  it('UnauthorizedError from the token function stops the client with an unauthorized error', async () => {
    let calls = 0;
    const client = connect({
      token: () => {
        calls++;
        throw new UnauthorizedError('logged out');
      },
    });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e.code));
    await nextState(client, 'closed');
    await sleep(60);
    expect(errors).toEqual(['unauthorized']);
    expect(calls).toBe(1);
    expect(ctx.server.peers).toHaveLength(0);
  });

  it('error 3 on jwt replace stops the client with an unauthorized error', async () => {
    const { provider } = numberedTokens();
    const client = connect({ token: provider });
    await client.ready();
    ctx.server.reply = (r) => (r.command === 'jwt replace' ? { error: { code: 3, info: 'token invalid' } } : { response: {} });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e.code));
    notifyExpiring();
    expect((await nextState(client, 'closed')).reason).toBe('unauthorized');
    expect(errors).toEqual(['unauthorized']);
  });

  it('a failed refresh while connected is emitted and retried', async () => {
    let calls = 0;
    const client = connect({
      token: () => {
        calls++;
        if (calls === 2) throw new Error('blip');
        return fakeJwt(inSeconds(3600));
      },
    });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e.code));
    await client.ready();
    notifyExpiring();
    await ctx.server.until(() => ctx.server.commands('jwt replace').length === 1);
    expect(errors).toEqual(['token']);
    expect(calls).toBe(3);
  });
});

describe('token lifecycle, regressions', () => {
  it('an own refresh that falls due while disconnected does not block the refreshes after it', async () => {
    // Time is the subject: jump an hour ahead while sockets keep working in real time.
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { provider, issued } = numberedTokens();
    // A long backoff: every attempt during the skipped hour is real socket work, and a loaded machine must not spend
    // the test's time on hundreds of them. `online` ends the wait once the server is back.
    const client = connect({ token: provider, reconnect: { minDelay: 60_000, maxDelay: 60_000 } });
    await client.ready();
    ctx.server.refuse = true;
    ctx.server.peers[0]!.close(1012);
    await nextState(client, 'reconnecting');
    await vi.advanceTimersByTimeAsync(3_541_000); // the own refresh (60 s before exp) fires while the link is down
    ctx.server.refuse = false;
    ctx.environment.fire('online');
    await nextState(client, 'open');
    notifyExpiring();
    await ctx.server.until(() => ctx.server.commands('jwt replace').length === 1);
    expect(issued.length).toBeGreaterThanOrEqual(2);
  });
});
