/**
 * The gateway's limits on how often a caller may ask: requests per subject (or address) and
 * minute, searches of the public register, and failed authentications per address (F5). Each is
 * a count per key in a fixed window, held in an lru-cache bounded in keys, so that no number of
 * callers grows the gateway's memory without bound (the least recently seen key goes first).
 *
 * A limited route answers with the IETF draft-7 headers (`RateLimit-Policy: 600;w=60`,
 * `RateLimit: limit=600, remaining=599, reset=60`) and, when refused, 429 RATE_LIMITED with
 * `Retry-After`. An anonymous caller is counted by address, an IPv6 address by its /56 (what one
 * subscriber is usually given) as express-rate-limit's `ipKeyGenerator` reduces it, so a caller
 * cannot reset its count by moving through its own addresses.
 *
 * The counting is our own rather than express-rate-limit's middleware: that one awaits four times,
 * reads `req.ip` (a parse of X-Forwarded-For) for a debug line and defines a property on every
 * request, and on the bank lookup it cost 10 µs of the server's thread a request (measured: 323
 * of 9,350 ms of a profiled G4 lane), against about 1 µs for this.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { LRUCache } from 'lru-cache';
import { sendError } from './errors.js';

/** Where one key stands in its window. */
export interface WindowCount {
  /** Requests counted in the window, this one included. */
  readonly used: number;
  /** Whether this one is over the limit. */
  readonly refused: boolean;
  /** Seconds until the window ends (at least 0). */
  readonly resetSeconds: number;
}

/** Counts per key in fixed windows of `windowMs`, each key's starting at its first request. */
export class WindowCounter {
  readonly #counts: LRUCache<string, { n: number; endsAt: number }>;
  readonly limit: number;
  readonly windowMs: number;
  readonly #now: () => number;

  constructor(limit: number, windowMs = 60_000, o: { now?: () => number; maxKeys?: number } = {}) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#now = o.now ?? Date.now;
    this.#counts = new LRUCache({ max: o.maxKeys ?? 100_000 });
  }

  /** The count of `key` without counting (0 when its window ended). */
  used(key: string): number {
    const c = this.#counts.get(key);
    return c === undefined || c.endsAt <= this.#now() ? 0 : c.n;
  }

  /** Seconds until the window of `key` ends (0 when it has). */
  resetSeconds(key: string): number {
    const c = this.#counts.get(key);
    return c === undefined ? 0 : Math.max(0, Math.ceil((c.endsAt - this.#now()) / 1000));
  }

  /** Counts one request of `key`. */
  hit(key: string): WindowCount {
    const now = this.#now();
    let c = this.#counts.get(key);
    if (c === undefined || c.endsAt <= now) {
      c = { n: 0, endsAt: now + this.windowMs };
      this.#counts.set(key, c);
    }
    c.n++;
    return { used: c.n, refused: c.n > this.limit, resetSeconds: Math.max(0, Math.ceil((c.endsAt - now) / 1000)) };
  }
}

/**
 * The key of an anonymous caller: its address, an IPv6 address by its /56. Behind the ingress the
 * operator names (`trust proxy`, GETIHU_TRUST_PROXY), the client's address as that ingress
 * forwards it; else the connection's.
 */
export function addressKey(req: Request): string {
  const address = req.app.locals.behindProxy === true ? req.ip : req.socket.remoteAddress;
  return ipKeyGenerator(address ?? 'unknown');
}

/**
 * Limits a route (or every route, as the preamble's step) to `limit` requests per `windowMs` per
 * key; a request over it is answered 429 RATE_LIMITED with `message`.
 */
export function rateLimited(o: {
  readonly limit: number;
  readonly windowMs?: number;
  readonly key: (req: Request) => string;
  readonly message: string;
  readonly now?: () => number;
}): RequestHandler {
  const counter = new WindowCounter(o.limit, o.windowMs, o.now === undefined ? {} : { now: o.now });
  const policy = `${counter.limit};w=${Math.ceil(counter.windowMs / 1000)}`;
  return (req, res, next) => {
    const c = counter.hit(o.key(req));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader(
      'RateLimit',
      `limit=${counter.limit}, remaining=${Math.max(0, counter.limit - c.used)}, reset=${c.resetSeconds}`,
    );
    if (!c.refused) return next();
    res.setHeader('Retry-After', String(c.resetSeconds));
    sendError(res, 'RATE_LIMITED', o.message);
  };
}

/**
 * Failed authentications per address (F5): past `limit` in a minute an address is refused with
 * RATE_LIMITED before its token's signature is checked, so bad tokens cannot buy unlimited ECDSA
 * verifications; a success does not reset the count.
 */
export class FailedAuthLimiter {
  readonly #counter: WindowCounter;

  constructor(limit = 60, windowMs = 60_000) {
    this.#counter = new WindowCounter(limit, windowMs);
  }

  get limit(): number {
    return this.#counter.limit;
  }

  blocked(address: string): boolean {
    return this.retryAfter(address) > 0;
  }

  /** Seconds until `address` may try again (0: it may now). */
  retryAfter(address: string): number {
    return this.#counter.used(address) >= this.#counter.limit ? Math.max(1, this.#counter.resetSeconds(address)) : 0;
  }

  failed(address: string): void {
    this.#counter.hit(address);
  }
}
