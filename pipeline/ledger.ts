/**
 * The recognition ledger on the pipeline: read whole from the round topic and the badge topic
 * (decision topics keep their history, so a restart or a new store rebuilds it), and the lease
 * under which a job changes it. Rounds, sweeps and revocations of one province run one at a
 * time, whatever process starts them: Tianjin's quota unit is the city, so two district rounds
 * at once would each see the whole remaining quota (津市场监管政务〔2024〕9号 附件2 三).
 */
import { randomUUID } from 'node:crypto';
import { formatIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { provincePrefixes } from '../lib/regions.js';
import { pauses } from '../lib/retry.js';
import type { RecognitionRow, RoundOutcomeRow, Store } from '../lib/store/index.js';
import {
  type BusinessType,
  type LedgerEvent,
  type MtyxCategory,
  RecognitionLedger,
  type SourceExemption,
} from '../matchers/index.js';
import { DeadLetterer } from './deadLetters.js';
import { type PipelineContext, topicName } from './reconciler.js';

/**
 * A decoded round event as the ledger needs it, or null for an outcome that recognises nothing.
 * A carried recognition is the destination's from the day it was carried (`decidedOn`).
 */
export function recognisedEventOf(v: Record<string, unknown>): Extract<LedgerEvent, { kind: 'recognised' }> | null {
  const carried = v.outcome === 'carried';
  if ((v.outcome !== 'recognised' && !carried) || v.validFrom == null || v.validUntil == null || v.category == null) return null;
  if (carried && (v.decidedOn == null || v.carriedFromCode == null || v.carriedFromDistrict == null)) return null;
  const code = v.creditCode as string;
  const area = v.area as string;
  const fen = (x: unknown) => (x == null ? null : Number(x) / 100);
  return {
    kind: 'recognised',
    creditCode: code,
    operatorId: (v.operatorId as string | null | undefined) ?? null,
    // Events older than v2 carry no district: a district round's area is it, else the code's.
    district: (v.district as string | null | undefined) ?? (area.endsWith('0000') ? code.slice(2, 8) : area),
    category: v.category as MtyxCategory,
    route: (v.route as 'application' | 'recommendation' | null | undefined) ?? 'application',
    sourceExemption: (v.sourceExemption as SourceExemption | undefined) ?? null,
    type: (v.type as BusinessType | null | undefined) ?? null,
    on: (carried ? v.decidedOn : v.validFrom) as number,
    validUntil: v.validUntil as number,
    roundId: v.roundId as string,
    explanation: v.explanation as string,
    ...(carried
      ? {
          carriedFrom: {
            creditCode: v.carriedFromCode as string,
            district: v.carriedFromDistrict as string,
            recognisedOn: v.validFrom as number,
            transferCheckId: (v.transferCheckId as string | null | undefined) ?? '',
          },
        }
      : {}),
    figures:
      v.revenueFen === undefined && v.taxPaidFen === undefined && v.insuredHeadcount === undefined
        ? null
        : {
            revenueYuan: fen(v.revenueFen),
            taxPaidYuan: fen(v.taxPaidFen),
            insuredHeadcount: (v.insuredHeadcount as number | null | undefined) ?? null,
          },
  };
}

/** A decoded round event that extends a recognition (outcome renewed), or null. */
export function extendedEventOf(v: Record<string, unknown>): Extract<LedgerEvent, { kind: 'extended' }> | null {
  if (v.outcome !== 'renewed' || v.validUntil == null || v.decidedOn == null) return null;
  return {
    kind: 'extended',
    creditCode: v.creditCode as string,
    on: v.decidedOn as number,
    validUntil: v.validUntil as number,
    explanation: v.explanation as string,
  };
}

/**
 * The serving store's row of a round event that recognises, extends or carries in (the sink and
 * the job write the same row); null for any other outcome. A carried recognition keeps its first
 * day: its badge and its support (from 1 January after it) run on as they did.
 */
export function recognitionRowOf(v: Record<string, unknown>): RecognitionRow | null {
  if (
    (v.outcome !== 'recognised' && v.outcome !== 'renewed' && v.outcome !== 'carried') ||
    v.validFrom == null ||
    v.validUntil == null ||
    v.category == null
  )
    return null;
  return {
    creditCode: v.creditCode as string,
    category: v.category as string,
    validFrom: formatIsoDate(v.validFrom as number),
    validUntil: formatIsoDate(v.validUntil as number),
    status: 'active',
    roundId: v.roundId as string,
    reason: v.explanation as string,
  };
}

/** The serving store's record of any round event (for the regulator's explanation). */
export function roundOutcomeRowOf(v: Record<string, unknown>): RoundOutcomeRow {
  const day = (x: unknown) => (x == null ? null : formatIsoDate(x as number));
  return {
    eventId: v.eventId as string,
    creditCode: v.creditCode as string,
    roundId: v.roundId as string,
    year: v.year as number,
    decidedOn: day(v.decidedOn),
    outcome: v.outcome as string,
    category: (v.category as string | null | undefined) ?? null,
    validFrom: day(v.validFrom),
    validUntil: day(v.validUntil),
    explanation: v.explanation as string,
    reasons: JSON.parse(v.reasonsJson as string),
  };
}

/** Reads the ledger from the round and badge topics as they stand now. */
export async function loadLedger(ctx: PipelineContext): Promise<RecognitionLedger> {
  return RecognitionLedger.from(await loadLedgerEvents(ctx));
}

/** The ledger's events from the round and badge topics as they stand now (a job that adds to them rebuilds from them). */
export async function loadLedgerEvents(ctx: PipelineContext): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  const dead = new DeadLetterer(ctx, 'ledger');
  const mtyx = topicName(ctx, 'mtyx');
  for await (const batch of ctx.bus.readSnapshot(mtyx)) {
    await dead.each(batch, (_r, v) => {
      const e = recognisedEventOf(v) ?? extendedEventOf(v);
      if (e !== null) events.push(e);
    });
  }
  const badge = topicName(ctx, 'badge');
  for await (const batch of ctx.bus.readSnapshot(badge)) {
    await dead.each(batch, (_r, v) => {
      if (v.status === 'active') return;
      events.push({
        kind: 'ended',
        creditCode: v.creditCode as string,
        status: v.status as 'expired' | 'cancelled' | 'revoked' | 'transferred',
        on: v.changedOn as number,
        reason: v.reason as string,
      });
    });
  }
  return events;
}

/** How long a job may hold the ledger lease without renewing it, and how long another waits. */
export interface LeaseOptions {
  readonly ttlMs?: number;
  readonly waitMs?: number;
  readonly pollMs?: number;
}

/**
 * Runs `job` holding the ledger lease of the province of `area` (renewed while it runs); waits
 * for another holder to finish, up to `waitMs`, then fails with `TIMEOUT` (retriable).
 */
export async function withLedgerLease<T>(store: Store, area: string, job: () => Promise<T>, o: LeaseOptions = {}): Promise<T> {
  const ttl = o.ttlMs ?? 60_000;
  const wait = o.waitMs ?? 120_000;
  const poll = o.pollMs ?? 50;
  // A province's quota units never cross its border: one lease per province, and a national job
  // (000000) takes every province's, always in code order so that two jobs cannot deadlock.
  const names = (area === '000000' ? provincePrefixes() : [area.slice(0, 2)]).map((p) => `mtyx-ledger:${p}`);
  const holder = randomUUID();
  const deadline = Date.now() + wait;
  const taken: string[] = [];
  const release = async () => {
    for (const n of taken.splice(0).reverse()) await store.jobs.releaseLease(n, holder);
  };
  try {
    for (const name of names) {
      for (const pause of pauses({ initialMs: poll, maxMs: 1_000 })) {
        if (await store.jobs.tryLease(name, holder, ttl)) break;
        if (Date.now() + pause > deadline)
          throw new GetihuError(
            'TIMEOUT',
            `another 名特优新 job of area ${area} is still running (lease ${name}); try again later`,
          );
        await new Promise((r) => setTimeout(r, pause));
      }
      taken.push(name);
    }
  } catch (err) {
    await release();
    throw err;
  }
  const renew = setInterval(() => {
    for (const n of taken) void store.jobs.tryLease(n, holder, ttl).catch(() => undefined);
  }, ttl / 3);
  try {
    return await job();
  } finally {
    clearInterval(renew);
    await release();
  }
}
