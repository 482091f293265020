/**
 * Badge status on the pipeline (002 附件 二(七) 店铺标识; 004 附件2 五): the yearly sweep expires
 * recognitions past their last valid day and cancels (取消认定) those whose newer typing decision
 * fails the re-check; a regulator revokes (撤销) one for fraud or bribery. Each change is an event
 * on getihu.decision.badge, which the sink records, the gateway's cache follows, and banks that
 * fetched the tag find in their corrections.
 */
import { createHash } from 'node:crypto';
import { addYears, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { programmeRegionOf } from '../../lib/regions.js';
import type { RecognitionChange, Store } from '../../lib/store/store.js';
import { badgeChangeOn } from '../mtyx/lifecycle.js';
import { RuleBook } from '../ruleSet.js';
import { type BusinessType, basicStandardMet } from '../typing.js';
import { inArea, type PipelineContext, topicName } from './reconciler.js';

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

/** What a sweep found. */
export interface SweepResult {
  readonly area: string;
  readonly asOf: string;
  readonly checked: number;
  readonly expired: number;
  readonly cancelled: number;
  readonly changes: readonly Change[];
}

/** Sweeps the active recognitions of `area` as of `asOf` and emits the badge changes. */
export async function sweepBadges(ctx: PipelineContext, store: Store, o: { area: string; asOf: string }): Promise<SweepResult> {
  const on = parseIsoDate(o.asOf, 'asOf');
  const book = RuleBook.load();
  const changes: Change[] = [];
  let checked = 0;
  for (const r of await store.activeRecognitions()) {
    if (r.region === null || !inArea(o.area, r.region)) continue;
    checked++;
    const d = await store.decision(r.creditCode);
    const reasons = (d?.reasons ?? []) as { criterion: string; met: boolean }[];
    const change = badgeChangeOn(
      r,
      d === null
        ? null
        : {
            asOf: d.asOf,
            typingBasicMet: basicStandardMet(reasons),
            mtyxBasicMet: d.mtyxBasicEligible,
            type: d.type as BusinessType,
          },
      on,
      book.inForce(programmeRegionOf(r.region), on),
    );
    if (change !== null)
      changes.push({ creditCode: r.creditCode, category: r.category, validUntil: r.validUntil, changedOn: o.asOf, ...change });
  }
  await emit(ctx, changes);
  return {
    area: o.area,
    asOf: o.asOf,
    checked,
    expired: changes.filter((c) => c.status === 'expired').length,
    cancelled: changes.filter((c) => c.status === 'cancelled').length,
    changes,
  };
}

/**
 * Revokes (撤销) an active recognition for fraud or bribery, barring a new application; null when
 * the business holds no active recognition. The date must fall within the recognition.
 */
export async function revokeRecognition(
  ctx: PipelineContext,
  store: Store,
  o: { creditCode: string; on: string; ground: 'fraud' | 'bribery'; note: string },
): Promise<Change | null> {
  const r = await store.recognition(o.creditCode);
  if (r === null || r.status !== 'active') return null;
  const on = parseIsoDate(o.on, 'on');
  if (o.on < r.validFrom || o.on > r.validUntil)
    throw new GetihuError('INVALID_INPUT', `on: the recognition runs from ${r.validFrom} to ${r.validUntil}`);
  const region = (await store.business(o.creditCode))?.region;
  if (region === undefined) return null;
  const lc = RuleBook.load().inForce(programmeRegionOf(region), on).mtyx.lifecycle;
  const change: Change = {
    creditCode: o.creditCode,
    category: r.category,
    validUntil: r.validUntil,
    changedOn: o.on,
    status: 'revoked',
    reason: `revoked for ${o.ground}: ${o.note}; no new application until ${formatIsoDate(addYears(on, lc.reapplyBarYears))} (${lc.revocationClause})`,
  };
  await emit(ctx, [change]);
  return change;
}
