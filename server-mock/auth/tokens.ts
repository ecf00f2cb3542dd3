import { readFileSync } from 'node:fs';
import { SignJWT, createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { parseRights, type Rights } from './policy.js';
import { systemClock, type Clock } from '../ops/clock.js';
import { MAX_CLOCK_TOLERANCE } from '../config/defaults.js';
import { ConfigError, JwksUnavailableError, TokenError } from '../errors.js';


/** What the server keeps of a verified token. */
export interface Identity {
  /** The token's subject: who the connection acts for. */
  sub: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
  /** What the `rtm` claim allows; undefined when the token has none (every non-private channel). */
  rights?: Rights;
}

/** Verifies tokens, and signs HS256 ones with the shared secret. */
export interface Auth {
  /** Resolves with the token's identity; rejects with TokenError for any token that must be refused. */
  verify(token: string): Promise<Identity>;
  /** Signs an HS256 token for `sub`; `claims` may carry e.g. `rtm`. */
  sign(sub: string, ttlSeconds: number, claims?: JWTPayload): Promise<string>;
}

/** How tokens are checked. */
export interface AuthOptions {
  /** HS256/384/512 secret, at least 32 bytes. */
  secret?: string;
  /** URL or file of a JWKS with RS/PS/ES public keys. */
  jwks?: string;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud`, when set. */
  audience?: string;
  /** Seconds of skew allowed on exp/nbf, at most 30. Default 5. */
  clockTolerance?: number;
  /** Time source. */
  clock?: Clock;
}

/** Smallest HS secret accepted: 256 bits, as OWASP asks for HMAC keys. */
export const MIN_SECRET_BYTES = 32;

/** Longest token accepted, so a hostile client cannot make us hash megabytes. */
const MAX_TOKEN_LENGTH = 8192;

// Algorithms are pinned per key type: a MAC secret never verifies a public-key token and the other way round,
// which is what stops an RS256 public key being used as an HS256 secret.
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/**
 * Creates the token verifier. Also accepts a bare secret
 * (`createAuth(secret, clockTolerance)`), the short form for an HS secret.
 */
export function createAuth(options: string | AuthOptions, clockTolerance?: number): Auth {
  const settings: AuthOptions = typeof options === 'string' ? { secret: options, clockTolerance } : options;
  const clock = settings.clock ?? systemClock;
  const tolerance = settings.clockTolerance ?? 5;
  if (tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE) throw new ConfigError(`clockTolerance must be 0-${MAX_CLOCK_TOLERANCE} seconds`);
  const secret = settings.secret === undefined ? undefined : new TextEncoder().encode(settings.secret);
  if (secret && secret.byteLength < MIN_SECRET_BYTES) throw new ConfigError(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const jwks = settings.jwks === undefined ? undefined : loadJwks(settings.jwks);
  if (!secret && !jwks) throw new ConfigError('tokens need a secret or a JWKS');

  const verifyWith = async (token: string, alg: string): Promise<JWTPayload> => {
    const common = {
      requiredClaims: ['exp', 'sub'],
      clockTolerance: tolerance,
      currentDate: new Date(clock.now()),
      ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
      ...(settings.audience === undefined ? {} : { audience: settings.audience }),
    };
    if (HMAC_ALGORITHMS.includes(alg) && secret) return (await jwtVerify(token, secret, { ...common, algorithms: HMAC_ALGORITHMS })).payload;
    if (PUBLIC_KEY_ALGORITHMS.includes(alg) && jwks) return (await jwtVerify(token, jwks, { ...common, algorithms: PUBLIC_KEY_ALGORITHMS })).payload;
    throw new TokenError(`token algorithm ${JSON.stringify(alg).slice(0, 20)} is not accepted`);
  };

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new TokenError('missing or oversized token');
      try {
        const { alg } = decodeProtectedHeader(token);
        const payload = await verifyWith(token, String(alg));
        if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255 || typeof payload.exp !== 'number') {
          throw new TokenError('token needs sub (a non-empty string) and exp');
        }
        const rights = payload.rtm === undefined ? undefined : parseRights(payload.rtm);
        if (rights === null) throw new TokenError('token claim "rtm" must be {subscribe?: string[], publish?: string[]}');
        return rights === undefined ? { sub: payload.sub, exp: payload.exp } : { sub: payload.sub, exp: payload.exp, rights };
      } catch (error) {
        if (error instanceof TokenError) throw error;
        if (error instanceof JwksUnavailableError) throw error;
        // Key-type mismatches surface as TypeError; they are bad tokens too, not server faults.
        if (error instanceof errors.JOSEError || error instanceof TypeError) throw new TokenError(describe(error));
        throw error;
      }
    },
    sign(sub, ttlSeconds, claims = {}) {
      if (!secret) throw new ConfigError('signing tokens needs a secret');
      const now = Math.floor(clock.now() / 1000);
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt(now).setExpirationTime(now + ttlSeconds).sign(secret);
    },
  };
}

function loadJwks(source: string): JWTVerifyGetKey {
  if (/^https?:\/\//.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new ConfigError(`the JWKS URL ${source} is not a valid URL`);
    }
    const remote = createRemoteJWKSet(url, { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // No matching key is the token's fault; anything else (network, HTTP status, bad JSON) is ours.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        throw new JwksUnavailableError(`the JWKS at ${source} cannot be used: ${(error as Error).message}`);
      }
    };
  }
  let set: unknown;
  try {
    set = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the JWKS file ${source}: ${(error as Error).message}`);
  }
  if (typeof set !== 'object' || set === null || !Array.isArray((set as JSONWebKeySet).keys)) throw new ConfigError(`${source} is not a JWKS ({"keys": [...]})`);
  return createLocalJWKSet(set as JSONWebKeySet);
}

function describe(error: Error): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token key is unknown';
  return 'token is invalid';
}
