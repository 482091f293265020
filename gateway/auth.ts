/**
 * Who is calling: JWT bearer tokens verified with jose against a JWKS (key rotation by `kid`),
 * issuer, audience, expiry and not-before enforced, ES256 only. Claims carry role, subject,
 * region and scopes. Deny by default: a route names the roles (and scopes) it admits.
 */

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, type JWK, errors as joseErrors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { GetihuError, isGetihuError } from '../lib/errors.js';
import { ALG, lowS } from './keys.js';
import { addressKey, type FailedAuthLimiter } from './limits.js';

/** The roles of the gateway. */
export const ROLES = ['agency', 'bank', 'department', 'platform', 'public', 'regulator', 'region'] as const;
/** A role. */
export type Role = (typeof ROLES)[number];

/**
 * The roles that act for a division: their tokens must name it in a `region` claim — a province
 * (XX0000), a city or a district, or NATIONAL for the whole country. A token of one of these
 * roles without the claim is refused: a missing claim must never read as "everywhere".
 */
export const REGIONAL_ROLES: readonly Role[] = ['agency', 'department', 'regulator', 'region'];

/** The `region` claim of a national token. */
export const NATIONAL = '000000';

/** The caller, from a verified token. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
  /** The division a regional role acts for (NATIONAL for the country); null for the other roles. */
  readonly region: string | null;
  readonly scopes: ReadonlySet<string>;
}

const claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  region: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  scope: z.string().max(2000).optional(),
});

/** Where verification keys come from and what the tokens must say. */
export interface AuthOptions {
  readonly issuer: string;
  readonly audience: string;
  /** A JWKS document (development, tests) or a JWKS URL (the identity provider). */
  readonly jwks: { keys: JWK[] } | (() => { keys: JWK[] }) | URL;
  /** The clock, in milliseconds (tests); the system's by default. */
  readonly now?: () => number;
}

/** The oldest token accepted, by its `iat`. */
export const MAX_TOKEN_AGE = '24h';

/** The header types of an access token: a JWT, or one in the JWT access token profile (RFC 9068 §2.1, also with its application/ prefix). */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'application/jwt', 'at+jwt', 'application/at+jwt']);
const MAX_TOKEN_AGE_SECONDS = 24 * 3600;

/** Half the order of P-256 (ES256): a signature's s above it is the high-s twin of a valid one. */
const P256_HALF_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551') >> 1n;

/**
 * Whether a token's signature is in its one canonical form: base64url as it encodes (no stray
 * bits, so one signature has one string), 64 bytes, and low-s (of the two valid values of s, the
 * smaller): the same token cannot be presented as many different strings.
 */
export function canonicalSignature(token: string): boolean {
  if (!wellFormedSignature(token)) return false;
  const sig = Buffer.from(token.split('.')[2] as string, 'base64url');
  const sValue = BigInt(`0x${sig.subarray(32).toString('hex')}`);
  return sValue > 0n && sValue <= P256_HALF_N;
}

/** Whether a token's third segment is a 64-byte signature in its one base64url encoding. */
function wellFormedSignature(token: string): boolean {
  const seg = token.split('.')[2];
  if (seg === undefined) return false;
  const sig = Buffer.from(seg, 'base64url');
  return sig.length === 64 && sig.toString('base64url') === seg;
}

/**
 * Checks a bearer token: its principal, at once for a token verified before and still good, else a
 * promise of it; a token refused rejects with GetihuError UNAUTHENTICATED and a reason that
 * reveals nothing else. `known` answers the first case alone (undefined: not known, nothing is
 * verified).
 */
export type TokenVerifier = ((token: string) => Principal | Promise<Principal>) & {
  readonly known?: (token: string) => Principal | undefined;
};

/**
 * A refused token: UNAUTHENTICATED, with `details.signatureChecked` saying whether refusing it
 * took a signature check (the work the failed-authentication limit protects).
 */
function refused(reason: string, signatureChecked: boolean): GetihuError {
  return new GetihuError('UNAUTHENTICATED', reason, { signatureChecked });
}

/** Verifies bearer tokens against the identity provider's keys (see `TokenVerifier`). */
export function tokenVerifier(o: AuthOptions): TokenVerifier {
  const remote = o.jwks instanceof URL ? createRemoteJWKSet(o.jwks) : undefined;
  const localKeys = () => (typeof o.jwks === 'function' ? o.jwks() : (o.jwks as { keys: JWK[] }));
  // Verified tokens are remembered until they expire; a hit still requires its signing key to be
  // published, so retiring a key revokes its tokens at once. Local key sets only: a remote JWKS is
  // refreshed by jose on its own schedule, so those tokens are verified every time.
  // A hit holds until the earlier of its expiry and its maximum age, and is answered at once
  // (no promise: the gateway's every request passes here).
  const verified = new LRUCache<string, { principal: Principal; until: number; kid: string }>({ max: 10_000 });
  const now = o.now ?? Date.now;
  const known = (token: string): Principal | undefined => {
    if (remote !== undefined) return undefined;
    const hit = verified.get(token);
    return hit !== undefined && hit.until > now() / 1000 && localKeys().keys.some((k) => k.kid === hit.kid)
      ? hit.principal
      : undefined;
  };
  return Object.assign((token: string) => known(token) ?? verifyAfresh(token), { known });
  async function verifyAfresh(presented: string): Promise<Principal> {
    // An identity provider signs as its library does: of a signature's two valid forms (s and
    // n − s) it may send either, so its token is taken in the low-s form — still one string per
    // token — rather than refused half the time. Tokens of this service's own keys are issued
    // low-s and must come so (F12).
    const token = remote !== undefined && wellFormedSignature(presented) ? lowS(presented) : presented;
    // A token refused before any signature is checked (not in canonical form; a key we do not
    // publish) cost nothing to refuse: it is not counted against its address (see authenticate).
    if (!canonicalSignature(token)) throw refused('the token is not valid', false);
    if (remote === undefined) {
      let kid: unknown;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        throw refused('the token is not valid', false);
      }
      if (!localKeys().keys.some((k) => k.kid === kid)) throw refused('the token is not valid', false);
    }
    const keys = remote ?? createLocalJWKSet(localKeys());
    let payload: unknown;
    let kid: string | undefined;
    try {
      const r = await jwtVerify(token, keys, {
        issuer: o.issuer,
        audience: o.audience,
        algorithms: [ALG],
        // A token says when it was issued and is not older than a day, whatever its expiry says
        // (jose refuses unknown critical headers on its own).
        requiredClaims: ['exp', 'sub', 'iat'],
        maxTokenAge: MAX_TOKEN_AGE,
        currentDate: new Date(now()),
      });
      // Its header says it is a JWT, or an access token in the profile identity providers issue
      // them in (RFC 9068 at+jwt): never another kind of token (a badge, a checkpoint).
      if (!ACCESS_TOKEN_TYPES.has(String(r.protectedHeader.typ ?? '').toLowerCase())) throw new joseErrors.JWTInvalid('typ');
      payload = r.payload;
      kid = r.protectedHeader.kid;
    } catch (err) {
      const reason =
        err instanceof joseErrors.JWTExpired
          ? 'the token has expired'
          : err instanceof joseErrors.JWTClaimValidationFailed
            ? `the token's ${err.claim} claim is not accepted`
            : 'the token is not valid';
      throw refused(reason, true);
    }
    const c = claims.safeParse(payload);
    if (!c.success) throw new GetihuError('UNAUTHENTICATED', 'the token does not carry a valid role and subject');
    const regional = REGIONAL_ROLES.includes(c.data.role);
    if (regional && c.data.region === undefined)
      throw new GetihuError(
        'UNAUTHENTICATED',
        `the token of a ${c.data.role} must name its region (a 6-digit division, ${NATIONAL} for the country)`,
      );
    const principal: Principal = {
      subject: c.data.sub,
      role: c.data.role,
      region: regional ? (c.data.region ?? null) : null,
      scopes: new Set((c.data.scope ?? '').split(' ').filter((s) => s !== '')),
    };
    if (remote === undefined && kid !== undefined) {
      const { exp, iat } = payload as { exp: number; iat: number };
      verified.set(token, { principal, until: Math.min(exp, iat + MAX_TOKEN_AGE_SECONDS), kid });
    }
    return principal;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * Reads and verifies the bearer token; a request without one stays anonymous (and is refused by
 * guarded routes). With a limiter, an address whose tokens failed a signature check too often is
 * refused outright before another is checked — but a token verified before always passes, and
 * junk refused without a signature check counts against nobody, so no caller can lock out the
 * others who share its address (T5).
 */
export function authenticate(verify: TokenVerifier, limiter?: FailedAuthLimiter): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const h = req.headers.authorization;
    if (h === undefined) return next();
    // A token verified before is known by its text (its form was checked when it was verified).
    const known = h.startsWith('Bearer ') ? verify.known?.(h.slice(7)) : undefined;
    if (known !== undefined) {
      req.principal = known;
      return next();
    }
    const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/.exec(h);
    if (m === null) return next(new GetihuError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"'));
    const address = addressKey(req);
    const wait = limiter?.retryAfter(address) ?? 0;
    if (wait > 0)
      return next(
        new GetihuError('RATE_LIMITED', 'too many tokens from this address failed their signature check; wait a minute', {
          retryAfterSeconds: wait,
        }),
      );
    const verified = verify(m[1] as string);
    if (!(verified instanceof Promise)) {
      req.principal = verified;
      return next();
    }
    verified.then(
      (p) => {
        req.principal = p;
        next();
      },
      (err: unknown) => {
        if (!isGetihuError(err) || err.details?.signatureChecked !== false) limiter?.failed(address);
        next(err);
      },
    );
  };
}

/**
 * Admits only the given roles (and, when named, callers holding every scope). A caller it refuses
 * with a valid token is reported to `onDenied` (the gateway audits it) before the 403.
 */
export function allow(
  roles: readonly Role[],
  scopes: readonly string[] = [],
  onDenied?: (req: Request, reason: string) => Promise<unknown>,
): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (p === undefined) return next(new GetihuError('UNAUTHENTICATED', 'a bearer token is required'));
    const refuse = (reason: string) => {
      const err = new GetihuError('FORBIDDEN', reason);
      if (onDenied === undefined) return next(err);
      onDenied(req, reason).then(
        () => next(err),
        () => next(err),
      );
    };
    if (!roles.includes(p.role)) return refuse('this role may not use this endpoint');
    for (const s of scopes) if (!p.scopes.has(s)) return refuse(`the token lacks the scope ${s}`);
    next();
  };
}
