// Every hostile or broken token is refused with error 3: at connect (then close 4001), and in jwt replace.
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, channelArgs, openPeer, startServer, SUBSCRIBED } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  const file = join(mkdtempSync(join(tmpdir(), 'rtm-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] }));
  // A secret and a JWKS together: the case where algorithm confusion could bite.
  server = await startServer({ jwks: file, issuer: 'https://idp.example.com', audience: 'rtm' });
});
afterAll(() => server.close());

const good = (alg: string = 'HS256', kid?: string) => new SignJWT({}).setProtectedHeader(kid ? { alg, kid } : { alg }).setSubject('alice').setIssuer('https://idp.example.com').setAudience('rtm');

const badTokens: Array<[string, () => Promise<string>, string]> = [
  ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: now() + 3600, iss: 'https://idp.example.com', aud: 'rtm' })}.`, 'token algorithm "none" is not accepted'],
  ['wrong secret', () => good().setExpirationTime('1h').sign(new TextEncoder().encode('another secret of at least 32 bytes!')), 'token signature is invalid'],
  ['RS256 signed with a key not in the JWKS', async () => good('RS256', 'k1').setExpirationTime('1h').sign((await generateKeyPair('RS256')).privateKey), 'token signature is invalid'],
  ['HS256 forged with the RSA public key as the HMAC secret', async () => good().setExpirationTime('1h').sign(new TextEncoder().encode(await exportSPKI(rsa.publicKey))), 'token signature is invalid'],
  ['HS256 header on an RS256 signature', async () => {
    const [, payload, signature] = (await good('RS256', 'k1').setExpirationTime('1h').sign(rsa.privateKey)).split('.');
    return `${b64({ alg: 'HS256' })}.${payload}.${signature}`;
  }, 'token signature is invalid'],
  ['expired 20 s ago, beyond the default clock tolerance of 5 s', () => good().setExpirationTime(now() - 20).sign(key), 'token expired'],
  ['nbf in the future', () => good().setExpirationTime('1h').setNotBefore(now() + 120).sign(key), 'token claim "nbf" is invalid'],
  ['missing exp', () => good().sign(key), 'token claim "exp" is invalid'],
  ['missing sub', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://idp.example.com').setAudience('rtm').setExpirationTime('1h').sign(key), 'token claim "sub" is invalid'],
  ['tampered payload (sub changed)', async () => {
    const [header, , signature] = (await good().setExpirationTime('1h').sign(key)).split('.');
    return `${header}.${b64({ sub: 'admin', exp: now() + 3600, iss: 'https://idp.example.com', aud: 'rtm' })}.${signature}`;
  }, 'token signature is invalid'],
  ['wrong iss', () => good().setIssuer('https://evil.example.com').setExpirationTime('1h').sign(key), 'token claim "iss" is invalid'],
  ['wrong aud', () => good().setAudience('someone-else').setExpirationTime('1h').sign(key), 'token claim "aud" is invalid'],
  ['malformed rtm claim', () => new SignJWT({ rtm: { subscribe: 'everything' } }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer('https://idp.example.com').setAudience('rtm').setExpirationTime('1h').sign(key), 'token claim "rtm" must be {subscribe?: string[], publish?: string[]}'],
  ['not a JWT at all', async () => 'hello', 'token is invalid'],
  ['oversized', async () => `${b64({ alg: 'HS256' })}.${'a'.repeat(10_000)}.x`, 'missing or oversized token'],
];

describe('bad-token matrix', () => {
  it.each(badTokens)('%s → error 3 at connect, then close 4001', async (_name, make, reason) => {
    const peer = await openPeer(`${server.ws}/rtc?access_token=${encodeURIComponent(await make())}`);
    expect((await peer.next()).data).toEqual({ request: null, error: { code: 3, info: reason } });
    expect((await peer.closed).code).toBe(4001);
  });

  it.each(badTokens)('%s → error 3 in jwt replace, and the connection is not authenticated', async (_name, make) => {
    const peer = await openPeer(`${server.ws}/rtc`);
    expect((await peer.command('jwt replace', { token: await make() })).error.code).toBe(3);
    expect((await peer.command('subscribe', channelArgs('a'))).error.code).toBe(3);
    await peer.close();
  });

  it('replace with another sub → error 3, and the connection keeps its first identity', async () => {
    const peer = await openPeer(`${server.ws}/rtc?access_token=${await good().setExpirationTime('1h').sign(key)}`);
    const mallory = await good().setSubject('mallory').setExpirationTime('1h').sign(key);
    expect((await peer.command('jwt replace', { token: mallory })).error).toEqual({ code: 3, info: 'the new token is for another subject' });
    expect((await peer.command('subscribe', channelArgs('user:mallory'))).error.code).toBe(2);
    expect((await peer.command('subscribe', channelArgs('user:alice'))).response).toEqual(SUBSCRIBED);
    await peer.close();
  });
});

describe('good tokens still pass', () => {
  it('accepts HS256/384/512 with iss and aud, RS256 from the JWKS, and a token expired within the clock tolerance', async () => {
    const tokens = [
      await good().setExpirationTime('1h').sign(key),
      await good('HS384').setExpirationTime('1h').sign(key),
      await good('HS512').setExpirationTime('1h').sign(key),
      await good('RS256', 'k1').setExpirationTime('1h').sign(rsa.privateKey),
      await good().setExpirationTime(now() - 2).sign(key),
    ];
    for (const token of tokens) {
      const peer = await openPeer(`${server.ws}/rtc?access_token=${token}`);
      expect((await peer.command('ping')).response.pong).toBe(true);
      await peer.close();
    }
  });

  it('refuses a clock tolerance over 30 s and a secret under 32 bytes at start-up', async () => {
    await expect(startServer({ clockTolerance: 31 })).rejects.toThrow(/clockTolerance/);
    await expect(startServer({ secret: 'short' })).rejects.toThrow(/32 bytes/);
  });
});
