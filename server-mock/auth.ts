import { SignJWT, errors, jwtVerify } from 'jose';

/** What the server keeps of a verified token. */
export interface Identity {
  /** The token's subject: who the connection acts for. */
  sub: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

/** Verifies and signs HS256 tokens with one shared secret. */
export interface Auth {
  verify(token: string): Promise<Identity>;
  sign(sub: string, ttlSeconds: number): Promise<string>;
}

/** Raised for any token that must be refused; carries a reason safe to show the client. */
export class TokenError extends Error {
  override name = 'TokenError';
}

/** Smallest HS256 secret accepted: 256 bits, as OWASP asks for HMAC keys. */
export const MIN_SECRET_BYTES = 32;

/** Creates the HS256 verifier/signer for `secret`. */
export function createAuth(secret: string, clockTolerance = 5): Auth {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_SECRET_BYTES) throw new Error(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw new TokenError('missing or oversized token');
      try {
        // Pinning the algorithm and requiring exp: jose accepts tokens without exp unless told otherwise.
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'], clockTolerance });
        if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') throw new TokenError('token needs sub and exp');
        return { sub: payload.sub, exp: payload.exp };
      } catch (error) {
        if (error instanceof TokenError) throw error;
        // Key-type mismatches surface as TypeError; they are bad tokens too, not server faults.
        if (error instanceof errors.JOSEError || error instanceof TypeError) throw new TokenError(describe(error));
        throw error;
      }
    },
    sign(sub, ttlSeconds) {
      return new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds).sign(key);
    },
  };
}

function describe(error: Error): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid`;
  return 'token is invalid';
}
