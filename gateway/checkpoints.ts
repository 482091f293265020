/**
 * Signed checkpoints of the audit chain's head, as Certificate Transparency's signed tree heads:
 * at a fixed cadence the gateway signs {seq, hash, at} of the chain's last entry with a key that
 * stays with the gateways (never in the database), keeps it, and publishes it at
 * `/v1/audit/checkpoints` and on `getihu.audit.checkpoint`. Someone with database access can
 * rewrite entries and re-hash the chain so that it verifies again — but not re-sign a checkpoint:
 * whoever kept one (a regulator, an auditor, a bank) learns of the rewrite by asking whether the
 * chain still holds that hash at that sequence number (`POST /v1/audit/checkpoints/verify`).
 */
import { logger } from '../lib/observe/index.js';
import type { Checkpoint, Store } from '../lib/store/index.js';
import { type PipelineContext, topicName } from '../pipeline/index.js';
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
