/**
 * A 名特优新 round on the pipeline: the year's applications and honours are read from the fact
 * topics with every business's facts (the quota base), the earlier recognitions from the
 * recognition ledger (./ledger.ts), the pure round decides (matchers/mtyx/round.ts), and one
 * recognition event per candidate is emitted.
 */
import { createHash } from 'node:crypto';
import { type DayNumber, formatIsoDate, parseIsoDate, tryParseIsoDate, yearOf } from '../lib/dates.js';
import type { Store } from '../lib/store/index.js';
import { type RoundResult, reportYearOf, runRecognitionRound } from '../matchers/index.js';
import { type LeaseOptions, loadLedger, recognitionRowOf, roundOutcomeRowOf, withLedgerLease } from './ledger.js';
import { loadFacts, type PipelineContext, topicName } from './reconciler.js';
import { assembleInput, type FactReader, FactState } from './state.js';

const iso = (d: unknown) => (d == null ? null : formatIsoDate(d as number));

/**
 * The candidate record (classify input + honours + application) of a business from its facts, as
 * of a day in the round's year: the yearly facts of the year its typing reads (`reportYearOf`).
 */
export function candidateRecord(state: FactReader, code: string, asOf: DayNumber): Record<string, unknown> {
  const year = yearOf(asOf);
  const { input } = assembleInput(state, code, reportYearOf(asOf));
  const s = state.business(code);
  const h = s?.honours as Record<string, unknown[]> | undefined;
  if (h !== undefined) {
    input.honours = {
      certifications: h.certifications,
      geographicIndications: h.geographicIndications,
      heritageTitles: h.heritageTitles,
      skills: (h.skills as Record<string, unknown>[]).map((x) => ({ ...x, grade: x.grade ?? null, level: x.level ?? null })),
      professionalTitles: h.professionalTitles,
      awards: (h.awards as Record<string, unknown>[]).map((a) => ({ ...a, awardedOn: iso(a.awardedOn) })),
      starRatings: h.starRatings,
      platformFollowers: Number(h.platformFollowers),
    };
  }
  const steps = [...(s?.reviewSteps.values() ?? [])];
  if (steps.length > 0)
    input.reviewSteps = steps.map((x) => ({
      year: x.year,
      step: x.step,
      stepId: x.stepId,
      on: iso(x.on),
      until: iso(x.until),
      outcome: x.outcome,
      actor: x.actor,
      note: x.note ?? null,
    }));
  const reports = [...(s?.mtyxReports.values() ?? [])];
  if (reports.length > 0)
    input.mtyxReports = reports.map((r) => ({
      year: r.year,
      reportedOn: iso(r.reportedOn),
      operatorChanged: r.operatorChanged === true,
      newOperatorId: r.newOperatorId ?? null,
    }));
  const a = s?.applications.get(year);
  if (a !== undefined) {
    input.application = {
      year: a.year,
      route: a.route,
      category: a.category ?? null,
      submittedOn: iso(a.submittedOn),
      recommender: a.recommender ?? null,
      operatorConsent: a.operatorConsent ?? null,
      specialGroup: a.specialGroup ?? null,
      review: a.review,
    };
  }
  return input;
}

/** Options of a round on the pipeline. */
export interface RecognitionOptions {
  readonly area: string;
  readonly asOf: string;
  /** The decision date (default: the rule set's decisionBy of the round year). */
  readonly decidedOn?: string;
  /** Today (YYYY-MM-DD, China time), where the round is decided for real: no decision is dated after it. */
  readonly today?: string;
  readonly lease?: LeaseOptions;
}

/**
 * Runs the round of `area` for the year of `asOf` over the fact topics and the recognition
 * ledger, under the province's ledger lease. What it recognises is in the serving store before
 * its events are on the round topic, so every reader sees a round's result once it has answered.
 */
export async function runRecognition(
  ctx: PipelineContext,
  store: Store,
  o: RecognitionOptions,
): Promise<RoundResult & { roundId: string }> {
  const asOf = parseIsoDate(o.asOf, 'asOf');
  const decidedOn = o.decidedOn === undefined ? undefined : parseIsoDate(o.decidedOn, 'decidedOn');
  const today = o.today === undefined ? undefined : parseIsoDate(o.today, 'today');
  const year = yearOf(asOf);
  return withLedgerLease(
    store,
    o.area,
    async () => {
      const state = new FactState();
      const snapshot = await loadFacts(ctx, state);
      const existing = (await loadLedger(ctx)).existing();
      const records = [...state.businesses.keys()].sort().map((c) => candidateRecord(state, c, asOf));
      const result = runRecognitionRound({
        ruleBook: ctx.ruleBook,
        asOf,
        area: o.area,
        records,
        existing,
        ...(decidedOn === undefined ? {} : { decidedOn }),
        ...(today === undefined ? {} : { today }),
      });
      // The round's id names what it decided from: the facts, the ledger, the area and the date.
      const roundId = `round:${o.area}:${year}:${createHash('sha256')
        .update(JSON.stringify([snapshot, existing, result.decidedOn]))
        .digest('hex')
        .slice(0, 16)}`;
      const topic = topicName(ctx, 'mtyx');
      const day = (text: string | null) => (text === null ? null : (tryParseIsoDate(text) as number));
      const decided = day(result.decidedOn);
      const fen = (yuan: number | null) => (yuan === null ? null : Math.round(yuan * 100));
      const values: Record<string, unknown>[] = result.candidates.map((c) => ({
        roundId,
        creditCode: c.creditCode,
        area: o.area,
        year,
        ruleset: c.ruleset,
        outcome: c.outcome,
        category: c.category,
        rank: c.rank,
        validFrom: day(c.validFrom),
        validUntil: day(c.validUntil),
        explanation: c.explanation,
        reasonsJson: JSON.stringify(c.reasons),
        operatorId: c.operatorId,
        district: c.district,
        route: c.route,
        sourceExemption: c.sourceExemption,
        type: c.type,
        benefitsFrom: day(c.benefitsFrom),
        revenueFen: fen(c.figures.revenueYuan),
        taxPaidFen: fen(c.figures.taxPaidYuan),
        insuredHeadcount: c.figures.insuredHeadcount,
        decidedOn: decided,
      }));
      // An extension keeps the recognition's first day and carries its new last one.
      for (const r of result.renewals.filter((x) => x.extend))
        values.push({
          roundId,
          creditCode: r.creditCode,
          area: o.area,
          year,
          ruleset: r.ruleset,
          outcome: 'renewed',
          category: r.category,
          rank: null,
          validFrom: day(r.recognisedOn),
          validUntil: day(r.extendedUntil),
          explanation: r.explanation,
          reasonsJson: JSON.stringify(r.grounds),
          district: r.district,
          decidedOn: decided,
        });
      const events: Record<string, unknown>[] = values.map((value) => ({
        eventId: createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32),
        ...value,
      }));
      await store.recordRoundOutcomes(events.map(roundOutcomeRowOf));
      await store.upsertRecognitions(events.flatMap((v) => recognitionRowOf(v) ?? []));
      await ctx.bus.send(
        topic,
        events.map((value) => ({ key: value.creditCode as string, value: ctx.codec.encode(topic, value) })),
      );
      return { ...result, roundId };
    },
    o.lease,
  );
}
