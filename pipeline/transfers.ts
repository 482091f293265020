/**
 * The 京津冀 carry-over on the pipeline: every transfer check that found a recognition carried
 * into `area` (getihu.decision.transfer) is decided against the recognition ledger and the
 * destination's registration (matchers/mtyx/carry.ts). A carried recognition is a round-topic
 * event of outcome `carried` for the code in the destination; when the business moved to a new
 * code, the origin code's badge ends as `transferred` on the badge topic. Both are written to the
 * serving store first, so a platform sees the badge under the new code when the job answers.
 * Runs under every province's ledger lease: it changes two provinces' ledgers at once.
 */
import { createHash } from 'node:crypto';
import { formatIsoDate, parseIsoDate, yearOf } from '../lib/dates.js';
import { inArea } from '../lib/regions.js';
import type { Store } from '../lib/store/index.js';
import { type CarriedCheck, decideCarry, type LedgerEvent, RecognitionLedger, type TransferredBadge } from '../matchers/index.js';
import { recordAndEmit } from './badges.js';
import { DeadLetterer } from './deadLetters.js';
import {
  type LeaseOptions,
  loadLedgerEvents,
  recognisedEventOf,
  recognitionRowOf,
  roundOutcomeRowOf,
  withLedgerLease,
} from './ledger.js';
import { loadFacts, type PipelineContext, topicName } from './reconciler.js';
import { FactState } from './state.js';

/** What a carry job did with one carried check. */
export interface CarryItem {
  readonly checkId: string;
  readonly creditCode: string;
  readonly newCreditCode: string | null;
  readonly toRegion: string;
  readonly outcome: 'carried' | 'waiting' | 'done' | 'refused';
  readonly reason: string;
  /** For a carried one: the code and district it is now held under, and its last valid day. */
  readonly heldAs?: { readonly creditCode: string; readonly district: string; readonly validUntil: string };
}

/** The answer of a carry job. */
export interface CarryResult {
  readonly area: string;
  readonly on: string;
  readonly carried: number;
  readonly items: readonly CarryItem[];
}

/** The newest carried check of each (code, new code, destination), in the order they were made. */
async function carriedChecks(ctx: PipelineContext, area: string): Promise<CarriedCheck[]> {
  const byKey = new Map<string, CarriedCheck>();
  const dead = new DeadLetterer(ctx, 'ledger');
  for await (const batch of ctx.bus.readSnapshot(topicName(ctx, 'transfer'))) {
    await dead.each(batch, (_r, v) => {
      const check: CarriedCheck = {
        checkId: v.checkId as string,
        creditCode: v.creditCode as string,
        newCreditCode: (v.newCreditCode as string | null) ?? null,
        toRegion: v.toRegion as string,
      };
      const key = `${check.creditCode}|${check.newCreditCode ?? ''}|${check.toRegion}`;
      if (v.carried !== true) byKey.delete(key);
      // A check names its destination as finely as the checker knew it (a district, or the province).
      else if (inArea(area, check.toRegion) || inArea(check.toRegion, area)) byKey.set(key, check);
    });
  }
  return [...byKey.values()];
}

/** Carries, on `on`, every recognition checked as carried into `area` whose destination registration is on file. */
export async function carryTransfers(
  ctx: PipelineContext,
  store: Store,
  o: { area: string; on: string; lease?: LeaseOptions },
): Promise<CarryResult> {
  const on = parseIsoDate(o.on, 'on');
  return withLedgerLease(
    store,
    '000000',
    async () => {
      const checks = await carriedChecks(ctx, o.area);
      // Each carry joins the ledger the next check is decided against: one origin is carried once,
      // and one operator holds one recognition in the district, within a run as across runs.
      const ledgerEvents = await loadLedgerEvents(ctx);
      let ledger = RecognitionLedger.from(ledgerEvents);
      const facts = new FactState();
      await loadFacts(ctx, facts, { topics: ['registration'] });
      const items: CarryItem[] = [];
      const events: Record<string, unknown>[] = [];
      const badges: TransferredBadge[] = [];
      for (const check of checks) {
        const target = check.newCreditCode ?? check.creditCode;
        const reg = facts.business(target)?.registration;
        const destination =
          reg === undefined
            ? null
            : {
                creditCode: target,
                regionCode: reg.regionCode as string,
                status: reg.status as string,
                operatorId: (reg.operatorId as string | null | undefined) ?? null,
              };
        // Once the destination's province registered it, where decides whose carry-over it is.
        const registeredThere = destination !== null && destination.regionCode.slice(0, 2) === check.toRegion.slice(0, 2);
        if (registeredThere && !inArea(o.area, destination.regionCode)) continue;
        const d = decideCarry(check, destination, ledger, on, ctx.ruleBook);
        const item = {
          checkId: check.checkId,
          creditCode: check.creditCode,
          newCreditCode: check.newCreditCode,
          toRegion: check.toRegion,
        };
        if (d.outcome !== 'carried') {
          items.push({ ...item, outcome: d.outcome, reason: d.reason });
          continue;
        }
        const r = d.recognition;
        const fen = (yuan: number | null | undefined) => (yuan == null ? null : Math.round(yuan * 100));
        const value = {
          roundId: `transfer:${r.transferCheckId}`,
          creditCode: r.creditCode,
          area: r.district,
          year: yearOf(on),
          ruleset: r.ruleset,
          outcome: 'carried',
          category: r.category,
          rank: null,
          validFrom: r.recognisedOn,
          validUntil: r.validUntil,
          explanation: r.explanation,
          reasonsJson: JSON.stringify(r.reasons),
          operatorId: r.operatorId,
          district: r.district,
          route: r.route,
          sourceExemption: r.sourceExemption,
          type: r.type,
          benefitsFrom: r.benefitsFrom,
          revenueFen: fen(r.figures?.revenueYuan),
          taxPaidFen: fen(r.figures?.taxPaidYuan),
          insuredHeadcount: r.figures?.insuredHeadcount ?? null,
          decidedOn: on,
          carriedFromCode: r.carriedFromCode,
          carriedFromDistrict: r.carriedFromDistrict,
          transferCheckId: r.transferCheckId,
        };
        events.push({ eventId: createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32), ...value });
        ledgerEvents.push(recognisedEventOf(value) as LedgerEvent);
        ledger = RecognitionLedger.from(ledgerEvents);
        if (d.badge !== null) badges.push(d.badge);
        items.push({
          ...item,
          outcome: 'carried',
          reason: r.explanation,
          heldAs: { creditCode: r.creditCode, district: r.district, validUntil: formatIsoDate(r.validUntil) },
        });
      }
      const changes = badges.map((b) => ({
        creditCode: b.creditCode,
        status: 'transferred' as const,
        category: b.category,
        validUntil: formatIsoDate(b.validUntil),
        changedOn: formatIsoDate(b.on),
        reason: b.reason,
      }));
      await store.recordRoundOutcomes(events.map(roundOutcomeRowOf));
      await store.upsertRecognitions(events.flatMap((v) => recognitionRowOf(v) ?? []));
      const mtyx = topicName(ctx, 'mtyx');
      await ctx.bus.send(
        mtyx,
        events.map((value) => ({ key: value.creditCode as string, value: ctx.codec.encode(mtyx, value) })),
      );
      await recordAndEmit(ctx, store, changes);
      return { area: o.area, on: o.on, carried: events.length, items };
    },
    o.lease,
  );
}
