/**
 * A 名特优新 round on the pipeline: the year's applications and honours are read from the fact
 * topics with every business's facts (the quota base), the pure round decides
 * (matchers/mtyx/round.ts), and one recognition event per candidate is emitted.
 */
import { createHash } from 'node:crypto';
import { formatIsoDate, parseIsoDate, tryParseIsoDate, yearOf } from '../../lib/dates.js';
import { type ExistingRecognition, type RoundResult, runRecognitionRound } from '../mtyx/round.js';
import { RuleBook } from '../ruleSet.js';
import { loadFacts, type PipelineContext, topicName } from './reconciler.js';
import { assembleInput, FactState } from './state.js';

const iso = (d: unknown) => (d == null ? null : formatIsoDate(d as number));

/** The candidate record (classify input + honours + application) of a business from its facts. */
export function candidateRecord(state: FactState, code: string, year: number): Record<string, unknown> {
  const { input } = assembleInput(state, code, year - 1);
  const s = state.businesses.get(code);
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

/** Runs the round of `area` for the year of `asOf` over the fact topics and emits its events. */
export async function runRecognition(
  ctx: PipelineContext,
  o: { area: string; asOf: string; existing?: readonly ExistingRecognition[] },
): Promise<RoundResult & { roundId: string }> {
  const asOf = parseIsoDate(o.asOf, 'asOf');
  const year = yearOf(asOf);
  const state = new FactState();
  const snapshot = await loadFacts(ctx, state);
  const records = [...state.businesses.keys()].sort().map((c) => candidateRecord(state, c, year));
  const result = runRecognitionRound({ ruleBook: RuleBook.load(), asOf, area: o.area, records, existing: o.existing ?? [] });
  const roundId = `round:${o.area}:${year}:${createHash('sha256').update(JSON.stringify(snapshot)).digest('hex').slice(0, 16)}`;
  const topic = topicName(ctx, 'mtyx');
  await ctx.bus.send(
    topic,
    result.candidates.map((c) => {
      const value = {
        roundId,
        creditCode: c.creditCode,
        area: o.area,
        year,
        ruleset: c.ruleset,
        outcome: c.outcome,
        category: c.category,
        rank: c.rank,
        validFrom: c.validFrom === null ? null : (tryParseIsoDate(c.validFrom) as number),
        validUntil: c.validUntil === null ? null : (tryParseIsoDate(c.validUntil) as number),
        explanation: c.explanation,
        reasonsJson: JSON.stringify(c.reasons),
      };
      const eventId = createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
      return { key: c.creditCode, value: ctx.codec.encode(topic, { eventId, ...value }) };
    }),
  );
  return { ...result, roundId };
}
