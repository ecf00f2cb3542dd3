import { describe, expect, it } from 'vitest';
import { HostTokens } from './host-tokens.js';

/** An unsigned JWT with `exp` `secondsLeft` from now: HostTokens only reads it. */
const jwt = (secondsLeft: number, tag: string): string =>
  `x.${btoa(JSON.stringify({ sub: 'u', exp: Math.floor(Date.now() / 1000) + secondsLeft, tag })).replace(/=+$/, '')}.x`;

describe('HostTokens (the token of a shared connection)', () => {
  it('every tab asking at once gets the current token while it is fresh, and one refresh once it is due', async () => {
    let mints = 0;
    const tokens = new HostTokens(async () => jwt(3600, `minted${++mints}`));
    tokens.offer(jwt(3600, 'seed'));
    const fresh = await Promise.all([tokens.current(), tokens.current(), tokens.current()]);
    expect(new Set(fresh).size).toBe(1);
    expect(mints).toBe(0);

    const due = new HostTokens(async () => jwt(3600, `minted${++mints}`));
    due.offer(jwt(1, 'about to expire'));
    const refreshed = await Promise.all([due.current(), due.current(), due.upstream()]);
    expect(mints).toBe(1);
    expect(new Set(refreshed).size).toBe(1);
  });

  it('the shared connection never gets the token it already has: asking again (a refused or expired one) mints a new one', async () => {
    let mints = 0;
    const tokens = new HostTokens(async () => jwt(3600, `minted${++mints}`));
    const seed = jwt(3600, 'seed');
    tokens.offer(seed);
    expect(await tokens.upstream()).toBe(seed);
    const next = await tokens.upstream();
    expect(next).not.toBe(seed);
    expect(mints).toBe(1);
  });

  it('adopts a token a tab brings only if it lasts longer', () => {
    const tokens = new HostTokens(async () => 'never');
    const long = jwt(3600, 'long');
    tokens.offer(long);
    tokens.offer(jwt(600, 'short'));
    return expect(tokens.current()).resolves.toBe(long);
  });
});
