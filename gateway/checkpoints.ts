/**
 * Signed checkpoints of the audit chain's head, as Certificate Transparency's signed tree heads:
 * at a fixed cadence the gateway signs {seq, hash, at} of the chain's last entry with a key that
 * stays with the gateways (never in the database), keeps it, and publishes it at
 * `/v1/audit/checkpoints` and on `getihu.audit.checkpoint`. Someone with database access can
 * rewrite entries and re-hash the chain so that it verifies again — but not re-sign a checkpoint:
 * whoever kept one (a regulator, an auditor, a bank) learns of the rewrite by asking whether the
 * chain still holds that hash at that sequence number (`POST /v1/audit/checkpoints/verify`).
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { GetihuError } from '../lib/errors.js';
import { logger } from '../lib/observe/index.js';
import type { Checkpoint, Store } from '../lib/store/index.js';
import { type PipelineContext, topicName } from '../matchers/reconciler/index.js';
import type { KeyRing } from './keys.js';

const log = logger('audit-checkpoints');

/** The audience and header type of checkpoint tokens: not access tokens, not badges. */
export const CHECKPOINT_AUDIENCE = 'getihu-audit';
export const CHECKPOINT_TYP = 'audit-checkpoint+jwt';
/** The default cadence (GETIHU_AUDIT_CHECKPOINT_SECONDS). */
export const CHECKPOINT_SECONDS = 300;

/** What signs and where a checkpoint goes. */
export interface CheckpointSigner {
  readonly store: Store;
  readonly keys: KeyRing;
  /** The service's name, the tokens' issuer. */
  readonly issuer: string;
  /** Where the checkpoint is published as an event (absent: endpoint only). */
  readonly pipeline?: PipelineContext;
  readonly now?: () => Date;
}

/**
 * Signs the chain's head when it moved since the last checkpoint, keeps it and publishes it; null
 * when there is nothing new to sign (or another replica signed this head first).
 */
export async function publishCheckpoint(s: CheckpointSigner): Promise<Checkpoint | null> {
  const head = await s.store.checkpoints.head();
  if (head.seq === 0) return null;
  const last = await s.store.checkpoints.latest();
  if (last !== null && last.seq >= head.seq) return null;
  const now = (s.now ?? (() => new Date()))();
  const at = now.toISOString();
  const token = await s.keys.sign(
    { seq: head.seq, hash: head.hash, at },
    {
      issuer: s.issuer,
      audience: CHECKPOINT_AUDIENCE,
      subject: `audit:${head.seq}`,
      // A checkpoint is evidence for as long as the log is kept: it does not lapse in use.
      expiresIn: Math.floor(now.getTime() / 1000) + 30 * 366 * 86_400,
      issuedAt: Math.floor(now.getTime() / 1000),
      typ: CHECKPOINT_TYP,
    },
  );
  const c: Checkpoint = { seq: head.seq, hash: head.hash, at, token };
  if (!(await s.store.checkpoints.record(c))) return null;
  if (s.pipeline !== undefined) {
    const topic = topicName(s.pipeline, 'checkpoint');
    await s.pipeline.bus.send(topic, [
      {
        key: s.issuer,
        value: s.pipeline.codec.encode(topic, { seq: c.seq, hash: c.hash, at: now.getTime(), issuer: s.issuer, token }),
      },
    ]);
  }
  log.info({ seq: c.seq }, 'signed a checkpoint of the audit chain');
  return c;
}

/** Publishes a checkpoint every `seconds` until stopped; a failed attempt is logged and tried at the next. */
export function startCheckpoints(s: CheckpointSigner, seconds = CHECKPOINT_SECONDS): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() =>
      publishCheckpoint(s).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'no checkpoint this time')),
    );
  }, seconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** What a kept checkpoint says of the chain today. */
export interface CheckpointCheck {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** The chain still holds that hash at that sequence number. */
  readonly consistent: boolean;
  readonly reason: string;
}

/**
 * Checks a checkpoint token someone kept: its signature (one of `keys`), audience and type, then
 * the chain's entry at its sequence number.
 * @throws GetihuError `INVALID_INPUT` when the token is not a checkpoint this service signed.
 */
export async function checkCheckpoint(store: Store, keys: KeyRing, issuer: string, token: string): Promise<CheckpointCheck> {
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, createLocalJWKSet(keys.jwks()), {
      issuer,
      audience: CHECKPOINT_AUDIENCE,
      typ: CHECKPOINT_TYP,
      algorithms: ['ES256'],
    }));
  } catch (err) {
    throw new GetihuError('INVALID_INPUT', `token: not a checkpoint signed by this service (${(err as Error).message})`, {
      field: 'token',
    });
  }
  const { seq, hash, at } = claims;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof hash !== 'string' || typeof at !== 'string')
    throw new GetihuError('INVALID_INPUT', 'token: its claims are not a checkpoint (seq, hash, at)', { field: 'token' });
  const now = await store.checkpoints.hashAt(seq);
  if (now === null)
    return { seq, hash, at, consistent: false, reason: `the chain has no entry ${seq} any more: entries were removed` };
  if (now !== hash)
    return {
      seq,
      hash,
      at,
      consistent: false,
      reason: `entry ${seq} now hashes to ${now.slice(0, 12)}…, not the ${hash.slice(0, 12)}… signed at ${at}: the chain up to it was rewritten`,
    };
  return { seq, hash, at, consistent: true, reason: `the chain still holds entry ${seq} as signed at ${at}` };
}

/** Checks every kept checkpoint against the chain: the first that no longer holds, if any. */
export async function checkKeptCheckpoints(
  store: Store,
  keys: KeyRing,
  issuer: string,
): Promise<{ checked: number; consistent: boolean; firstInconsistent?: CheckpointCheck }> {
  let checked = 0;
  for (let after = 0; ; ) {
    const page = await store.checkpoints.after(after, 500);
    if (page.length === 0) return { checked, consistent: true };
    for (const c of page) {
      checked++;
      const r = await checkCheckpoint(store, keys, issuer, c.token).catch(
        (err: unknown): CheckpointCheck => ({
          seq: c.seq,
          hash: c.hash,
          at: c.at,
          consistent: false,
          reason: (err as Error).message,
        }),
      );
      if (!r.consistent) return { checked, consistent: false, firstInconsistent: r };
    }
    after = (page.at(-1) as Checkpoint).seq;
  }
}
