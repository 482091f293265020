/**
 * Badge status on the pipeline (国市监注发〔2024〕10号 附件 二(七) 店铺标识; 津市场监管政务〔2024〕9号 附件2 五): the yearly sweep expires
 * recognitions past their last valid day and cancels (取消认定) those whose newer typing decision
 * fails the re-check; a regulator revokes (撤销) one for fraud or bribery. Each change is an event
 * on getihu.decision.badge, which the sink records, the gateway's cache follows, and banks that
 * fetched the tag find in their corrections.
 */
import { createHash } from 'node:crypto';
import { formatIsoDate, parseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { inArea, programmeRegionOf } from '../lib/regions.js';
import type { Recheck, RecognitionChange, Store } from '../lib/store/index.js';
import {
  type BusinessType,
  badgeChangeOn,
  barEnd,
  basicStandardMet,
  type RuleSet,
  reportDue,
  reportYearsDue,
} from '../matchers/index.js';
import { type LeaseOptions, loadLedger, withLedgerLease } from './ledger.js';
import { loadFacts, type PipelineContext, topicName } from './reconciler.js';
import { FactState } from './state.js';

type Change = Omit<RecognitionChange, 'eventId'>;

/** The id of a badge change: its content, so a replayed or repeated sweep records it once. */
export function badgeEventId(c: Change): string {
  return createHash('sha256')
    .update(JSON.stringify([c.creditCode, c.status, c.category, c.validUntil, c.changedOn, c.reason]))
    .digest('hex')
    .slice(0, 32);
}

async function emit(ctx: PipelineContext, changes: readonly Change[]): Promise<void> {
  if (changes.length === 0) return;
  const topic = topicName(ctx, 'badge');
  await ctx.bus.send(
    topic,
    changes.map((c) => ({
      key: c.creditCode,
      value: ctx.codec.encode(topic, {
        creditCode: c.creditCode,
        category: c.category,
        status: c.status,
        validUntil: parseIsoDate(c.validUntil),
        changedOn: parseIsoDate(c.changedOn),
        reason: c.reason,
      }),
    })),
  );
}

/** A recognition's yearly information reports that were owed by the sweep's date and are missing or late. */
export interface ReportFinding {
  readonly creditCode: string;
  readonly missing: readonly number[];
  /** Filed after the due date (31 July). */
  readonly late: readonly number[];
  readonly clause: string;
}

/** What a sweep found. */
export interface SweepResult {
  readonly area: string;
  readonly asOf: string;
  readonly checked: number;
  readonly expired: number;
  readonly cancelled: number;
  readonly changes: readonly Change[];
  /**
   * Reports owed and not (or late) filed. They are for the recognising department to follow
   * up: the texts make the report a duty and its review the basis of the re-check, but do not
   * make a missing report a ground of cancellation by itself.
   */
  readonly reports: readonly ReportFinding[];
}

/** Records the changes in the serving store, then emits them: readers see them once the job answers. */
export async function recordAndEmit(ctx: PipelineContext, store: Store, changes: readonly Change[]): Promise<void> {
  await store.recordRecognitionChanges(changes.map((c) => ({ eventId: badgeEventId(c), ...c })));
  await emit(ctx, changes);
}

/**
 * Sweeps the recognitions of `area` active on `asOf` (from the recognition ledger) and emits the
 * badge changes: expiry, and cancellation at the yearly re-check against the business's newest
 * typing decision, keeping a recommended or special-group recognition's exemption from the type.
 */
export async function sweepBadges(
  ctx: PipelineContext,
  store: Store,
  o: { area: string; asOf: string; lease?: LeaseOptions },
): Promise<SweepResult> {
  const on = parseIsoDate(o.asOf, 'asOf');
  const book = ctx.ruleBook;
  return withLedgerLease(
    store,
    o.area,
    async () => {
      const ledger = await loadLedger(ctx);
      const facts = new FactState();
      await loadFacts(ctx, facts, { topics: ['mtyxReport'] });
      const changes: Change[] = [];
      const reports: ReportFinding[] = [];
      const rechecks: Recheck[] = [];
      let checked = 0;
      // Each business's newest recognition made by then that nothing has ended yet: still valid
      // (re-checked) or past its last valid day (expired now).
      for (const e of ledger.entries()) {
        if (e.ended !== null || e.recognition.on > on || ledger.of(e.recognition.creditCode).at(-1) !== e) continue;
        const r = e.recognition;
        if (!inArea(o.area, r.district)) continue;
        checked++;
        const d = await store.decision(r.creditCode);
        const reasons = (d?.reasons ?? []) as { criterion: string; met: boolean }[];
        const met = (c: string) => reasons.find((x) => x.criterion === c)?.met !== false;
        const validFrom = formatIsoDate(r.on);
        const validUntil = formatIsoDate(e.validUntil);
        const rs = book.inForce(programmeRegionOf(r.district), on);
        const filed = facts.businesses.get(r.creditCode)?.mtyxReports ?? new Map();
        const owed = reportYearsDue(r.on, e.validUntil, on, rs);
        const missing = owed.filter((y) => !filed.has(y));
        const late = owed.filter((y) => filed.has(y) && (filed.get(y)?.reportedOn as number) > reportDue(y, rs));
        if (missing.length + late.length > 0)
          reports.push({ creditCode: r.creditCode, missing, late, clause: rs.mtyx.lifecycle.clause });
        const change = badgeChangeOn(
          { validFrom, validUntil, sourceExemption: r.sourceExemption },
          d === null
            ? null
            : {
                asOf: d.asOf,
                typingBasicMet: basicStandardMet(reasons),
                mtyxBasicMet: d.mtyxBasicEligible,
                exclusionsClear: met('mtyx.penalty') && met('mtyx.court'),
                type: d.type as BusinessType,
              },
          on,
          rs,
        );
        if (change !== null)
          changes.push({ creditCode: r.creditCode, category: r.category, validUntil, changedOn: o.asOf, ...change });
        rechecks.push({
          creditCode: r.creditCode,
          checkedOn: o.asOf,
          outcome: change === null ? 'kept' : change.status,
          reason:
            change?.reason ??
            (d === null
              ? `kept: no typing decision after the recognition yet (${rs.mtyx.lifecycle.clause})`
              : `kept: the re-check of ${d.asOf} passed${r.sourceExemption === null ? '' : ` (source exemption: ${r.sourceExemption})`} (${rs.mtyx.lifecycle.clause})`),
          reports: { missing, late },
        });
      }
      await store.recordRechecks(rechecks);
      await recordAndEmit(ctx, store, changes);
      return {
        area: o.area,
        asOf: o.asOf,
        checked,
        expired: changes.filter((c) => c.status === 'expired').length,
        cancelled: changes.filter((c) => c.status === 'cancelled').length,
        changes,
        reports,
      };
    },
    o.lease,
  );
}

/**
 * Ends the recognition a business holds on `on`, under the ledger lease: `reason` tells why, from
 * the rule set in force there. Null when it holds none (none, or already ended).
 */
async function endRecognition(
  ctx: PipelineContext,
  store: Store,
  o: { creditCode: string; on: string; lease?: LeaseOptions | undefined },
  status: 'revoked' | 'cancelled',
  reason: (rs: RuleSet, on: number) => string,
): Promise<Change | null> {
  const on = parseIsoDate(o.on, 'on');
  const region = (await store.business(o.creditCode))?.region ?? o.creditCode.slice(2, 8);
  return withLedgerLease(
    store,
    region,
    async () => {
      const e = (await loadLedger(ctx)).of(o.creditCode).at(-1);
      if (e === undefined || e.ended !== null) return null;
      if (on < e.recognition.on || on > e.validUntil)
        throw new GetihuError(
          'INVALID_INPUT',
          `on: the recognition runs from ${formatIsoDate(e.recognition.on)} to ${formatIsoDate(e.validUntil)}`,
          { field: 'on' },
        );
      const rs = ctx.ruleBook.inForce(programmeRegionOf(e.recognition.district), on);
      const change: Change = {
        creditCode: o.creditCode,
        category: e.recognition.category,
        validUntil: formatIsoDate(e.validUntil),
        changedOn: o.on,
        status,
        reason: reason(rs, on),
      };
      await recordAndEmit(ctx, store, [change]);
      return change;
    },
    o.lease,
  );
}

/**
 * Revokes (撤销) an active recognition for fraud or bribery, barring a new application; null when
 * the business holds none on that day.
 */
export async function revokeRecognition(
  ctx: PipelineContext,
  store: Store,
  o: { creditCode: string; on: string; ground: 'fraud' | 'bribery'; lease?: LeaseOptions },
): Promise<Change | null> {
  return endRecognition(
    ctx,
    store,
    o,
    'revoked',
    (rs, on) =>
      `revoked for ${o.ground}; no new application until ${formatIsoDate(barEnd(on, rs))} (${rs.mtyx.lifecycle.revocationClause})`,
  );
}

/**
 * Refuses (不予认定) a filed recognition at the level above's review: it ends, with no bar on a
 * later application; null when the business holds none on that day.
 */
export async function refuseRecognition(
  ctx: PipelineContext,
  store: Store,
  o: { creditCode: string; on: string; lease?: LeaseOptions },
): Promise<Change | null> {
  return endRecognition(ctx, store, o, 'cancelled', (rs) => `不予认定 at the filing review (${rs.mtyx.review.filingClause})`);
}
