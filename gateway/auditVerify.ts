/**
 * Whether the audit log tells the truth: the hash chain recomputed from its first entry, page by
 * page, and every signed checkpoint (gateway/checkpoints.ts) checked against the recomputed chain,
 * not against the hashes stored beside the entries — someone with database access can rewrite an
 * entry and re-hash the rest, but not re-sign a checkpoint. One walk serves the regulators'
 * verification, `audit verify` on the command line, and the check of a checkpoint someone kept.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { GetihuError } from '../lib/errors.js';
import { auditHash, type Store } from '../lib/store/index.js';
import { CHECKPOINT_AUDIENCE, CHECKPOINT_TYP } from './checkpoints.js';
import type { KeyRing } from './keys.js';

/** The outcome of a verification. */
export interface AuditVerification {
  /** Whole and vouched for: the chain recomputes, and every signed checkpoint holds on it (one at least). */
  readonly ok: boolean;
  /**
   * `verified`: ok; `broken`: an entry or a checkpoint does not hold; `unverified`: the chain
   * recomputes but no signed checkpoint vouches for it (none kept, or an empty log), so a rewrite
   * re-hashed by someone with database access could not be told from the truth.
   */
  readonly status: 'verified' | 'broken' | 'unverified';
  readonly entries: number;
  /** Signed checkpoints checked against the recomputed chain. */
  readonly checkpoints: number;
  /** The newest checkpoint's sequence number (0: none). */
  readonly lastCheckpointSeq: number;
  /** Entries after the newest checkpoint: what no signature vouches for yet (a truncation there is not seen). */
  readonly unverifiedTail: number;
  /** The first entry or checkpoint that does not hold, and why. */
  readonly brokenAt?: number;
  readonly problem?: string;
}

/** How many entries a page of the walk reads. */
const WALK_PAGE = 5_000;

/**
 * Walks the chain from its first entry to `until` (or its end), a page at a time, recomputing each
 * entry's hash from its content and its predecessor's recomputed hash; `onEntry` sees each entry
 * with its recomputed hash. Stops at the first entry that is missing, out of place or altered.
 */
async function walkChain(
  store: Store,
  until: number,
  onEntry: (seq: number, recomputed: string) => void,
): Promise<{ entries: number; brokenAt?: number; problem?: string }> {
  let prev = 'genesis';
  let seq = 0;
  for (;;) {
    const page = await store.auditRange(seq, Math.min(WALK_PAGE, until - seq));
    if (page.length === 0) return { entries: seq };
    for (const e of page) {
      if (e.seq !== seq + 1)
        return { entries: seq, brokenAt: seq + 1, problem: `entry ${seq + 1} is missing (next is ${e.seq})` };
      if (e.prevHash !== prev)
        return { entries: seq, brokenAt: e.seq, problem: `entry ${e.seq} does not link to its predecessor` };
      const recomputed = auditHash(prev, e.seq, e.at, e);
      if (recomputed !== e.hash) return { entries: seq, brokenAt: e.seq, problem: `entry ${e.seq} was altered` };
      onEntry(e.seq, recomputed);
      prev = recomputed;
      seq = e.seq;
    }
    if (seq >= until) return { entries: seq };
  }
}

/**
 * The chain alone, recomputed from its first entry: whole or where it breaks. What the chain says
 * of itself, which a rewrite re-hashed with database access also passes: `verifyAudit` is the
 * verification; this is for checking the writer.
 */
export async function verifyChain(store: Store): Promise<{ ok: boolean; entries: number; brokenAt?: number; problem?: string }> {
  const walk = await walkChain(store, Number.MAX_SAFE_INTEGER, () => {});
  return walk.brokenAt === undefined ? { ok: true, entries: walk.entries } : { ok: false, ...walk };
}

/** The signed claims of a checkpoint token, or why it is not one this service signed. */
export async function checkpointClaims(
  keys: KeyRing,
  issuer: string,
  token: string,
): Promise<{ seq: number; hash: string; at: string } | string> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys.jwks()), {
      issuer,
      audience: CHECKPOINT_AUDIENCE,
      typ: CHECKPOINT_TYP,
      algorithms: ['ES256'],
    });
    const { seq, hash, at } = payload;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || typeof hash !== 'string' || typeof at !== 'string')
      return 'its claims are not a checkpoint (seq, hash, at)';
    return { seq, hash, at };
  } catch (err) {
    return `not a checkpoint signed by this service (${(err as Error).message})`;
  }
}

/**
 * Verifies the audit log: the chain recomputed from its first entry, and every kept checkpoint's
 * signature checked and its signed hash compared with the recomputed chain's at its sequence
 * number. A chain rewritten and re-hashed with database access recomputes, but disagrees with the
 * checkpoints signed before; a log with no checkpoint is `unverified`, never `ok`.
 */
export async function verifyAudit(store: Store, keys: KeyRing | undefined, issuer: string): Promise<AuditVerification> {
  // The kept checkpoints, oldest first, with their signatures checked.
  const kept: { seq: number; hash: string; at: string; bad?: string }[] = [];
  for (let after = 0; ; ) {
    const page = await store.checkpoints.after(after, 500);
    if (page.length === 0) break;
    for (const c of page) {
      const claims = keys === undefined ? 'no checkpoint key is configured' : await checkpointClaims(keys, issuer, c.token);
      kept.push(
        typeof claims === 'string'
          ? { seq: c.seq, hash: c.hash, at: c.at, bad: claims }
          : claims.seq !== c.seq
            ? { ...claims, bad: `the checkpoint kept at ${c.seq} is signed for entry ${claims.seq}` }
            : claims,
      );
    }
    after = page.at(-1)?.seq ?? after;
  }
  const bySeq = new Map(kept.map((c) => [c.seq, c]));
  let problem: { brokenAt: number; problem: string } | undefined;
  const checkedSeqs = new Set<number>();
  const walk = await walkChain(store, Number.MAX_SAFE_INTEGER, (seq, recomputed) => {
    const c = bySeq.get(seq);
    if (c === undefined || problem !== undefined) return;
    checkedSeqs.add(seq);
    if (c.bad !== undefined) problem = { brokenAt: seq, problem: `checkpoint ${seq}: ${c.bad}` };
    else if (c.hash !== recomputed)
      problem = {
        brokenAt: seq,
        problem: `the chain up to entry ${seq} was rewritten: it recomputes to ${recomputed.slice(0, 12)}…, not the ${c.hash.slice(0, 12)}… signed at ${c.at}`,
      };
  });
  const last = kept.at(-1)?.seq ?? 0;
  const base = {
    entries: walk.entries,
    checkpoints: checkedSeqs.size,
    lastCheckpointSeq: last,
    unverifiedTail: Math.max(0, walk.entries - last),
  };
  if (walk.brokenAt !== undefined)
    return { ok: false, status: 'broken', ...base, brokenAt: walk.brokenAt, problem: walk.problem as string };
  if (problem !== undefined) return { ok: false, status: 'broken', ...base, ...problem };
  // A checkpoint past the end: entries it vouched for were removed.
  const beyond = kept.find((c) => c.seq > walk.entries);
  if (beyond !== undefined)
    return {
      ok: false,
      status: 'broken',
      ...base,
      brokenAt: beyond.seq,
      problem: `the chain ends at entry ${walk.entries}, but entry ${beyond.seq} was signed at ${beyond.at}: entries were removed`,
    };
  if (checkedSeqs.size === 0)
    return { ok: false, status: 'unverified', ...base, problem: 'no signed checkpoint vouches for the chain' };
  return { ok: true, status: 'verified', ...base };
}

/**
 * The hash the chain recomputes to at entry `seq`, walking it from the first entry (null: the chain
 * does not reach `seq` whole — an entry is missing, out of place or altered on the way).
 */
export async function recomputedHashAt(store: Store, seq: number): Promise<{ hash: string } | { problem: string }> {
  let at: string | undefined;
  const walk = await walkChain(store, seq, (s, recomputed) => {
    if (s === seq) at = recomputed;
  });
  if (walk.problem !== undefined) return { problem: walk.problem };
  return at === undefined ? { problem: `the chain has no entry ${seq} any more: entries were removed` } : { hash: at };
}

/** What a kept checkpoint says of the chain today. */
export interface CheckpointCheck {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** The chain, recomputed from its first entry, still comes to that hash at that sequence number. */
  readonly consistent: boolean;
  readonly reason: string;
}

/**
 * Checks a checkpoint token someone kept: its signature (one of `keys`), audience and type, then
 * the chain recomputed up to its sequence number.
 * @throws GetihuError `INVALID_INPUT` when the token is not a checkpoint this service signed.
 */
export async function checkCheckpoint(store: Store, keys: KeyRing, issuer: string, token: string): Promise<CheckpointCheck> {
  const claims = await checkpointClaims(keys, issuer, token);
  if (typeof claims === 'string') throw new GetihuError('INVALID_INPUT', `token: ${claims}`, { field: 'token' });
  const { seq, hash, at } = claims;
  const now = await recomputedHashAt(store, seq);
  if ('problem' in now) return { seq, hash, at, consistent: false, reason: now.problem };
  if (now.hash !== hash)
    return {
      seq,
      hash,
      at,
      consistent: false,
      reason: `the chain up to entry ${seq} now recomputes to ${now.hash.slice(0, 12)}…, not the ${hash.slice(0, 12)}… signed at ${at}: it was rewritten`,
    };
  return { seq, hash, at, consistent: true, reason: `the chain, recomputed, still holds entry ${seq} as signed at ${at}` };
}
