/**
 * `npm run bench -- support [--businesses N] [--region R] [--seed S] [--json]`
 *
 * Lanes, in one run over the same generated businesses held in memory as parsed classify input
 * (JSON parsing and writing outside the timed part):
 *   classify  what classify does with each record: check and normalise its facts, decide with every
 *             reason (Classifier.classifyRecord);
 *   support   the same, then the measures the decision matches with their reasons (Support.supportFor),
 *             with about 3% of the businesses holding a 名特优新 recognition in effect;
 *   match     matching alone, on the decisions and facts of the first 100,000, kept.
 * Each lane runs once to warm up, then `--repeat` times, alternating; the best run counts.
 * Goal (精准帮扶): matching adds at most 25% to classify's time.
 */
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import {
  type BusinessFacts,
  Classifier,
  loadCatalogueBook,
  MTYX_CATEGORIES,
  RuleBook,
  Support,
  type SupportRecognition,
  type TypingDecision,
} from '../matchers/index.js';

export interface SupportBenchOptions {
  readonly businesses: number;
  readonly region: string;
  readonly seed: number;
  readonly repeat: number;
}

/** Runs the support benchmark and returns its figures. */
export async function benchSupport(o: SupportBenchOptions): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const asOf = parseIsoDate('2025-08-15');
  log(`generating ${o.businesses} businesses of ${o.region} (seed ${o.seed})…`);
  const records: unknown[] = [...generateBusinesses({ region: o.region, businesses: o.businesses, seed: o.seed, asOf })];
  const classifier = new Classifier({ asOf, ruleBook: RuleBook.load() });
  const support = new Support(loadCatalogueBook(), asOf);
  const recognitions: (SupportRecognition | null)[] = records.map((_, i) =>
    i % 33 === 0
      ? {
          category: MTYX_CATEGORIES[i % 4] as SupportRecognition['category'],
          recognisedOn: parseIsoDate('2024-11-30'),
          validUntil: parseIsoDate('2027-11-29'),
          revokedOn: null,
        }
      : null,
  );

  let decisions = 0;
  let measures = 0;
  const classifyLane = () => {
    decisions = 0;
    for (const raw of records) if (classifier.classifyRecord(raw).reasons.length > 0) decisions++;
  };
  const supportLane = () => {
    measures = 0;
    for (let i = 0; i < records.length; i++) {
      const { decision, facts } = classifier.decideRecord(records[i]);
      measures += support.supportFor(decision, facts, recognitions[i] ?? null).measures.length;
    }
  };
  const time = (run: () => void) => {
    const t = process.hrtime.bigint();
    run();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  classifyLane();
  supportLane();
  let classifySeconds = Number.POSITIVE_INFINITY;
  let supportSeconds = Number.POSITIVE_INFINITY;
  for (let r = 0; r < o.repeat; r++) {
    globalThis.gc?.();
    classifySeconds = Math.min(classifySeconds, time(classifyLane));
    globalThis.gc?.();
    supportSeconds = Math.min(supportSeconds, time(supportLane));
  }
  const added = (supportSeconds - classifySeconds) / classifySeconds;
  // Matching alone, on decisions kept in memory (the first 100,000: a million kept would not fit the heap).
  const decided = records.slice(0, 100_000).map((raw) => classifier.decideRecord(raw));
  let matched = 0;
  const matchSeconds = time(() => {
    for (let i = 0; i < decided.length; i++) {
      const { decision, facts } = decided[i] as { decision: TypingDecision; facts: BusinessFacts };
      matched += support.supportFor(decision, facts, recognitions[i] ?? null).measures.length;
    }
  });
  return {
    businesses: records.length,
    region: o.region,
    decisions,
    measuresMatched: measures,
    classify: { seconds: classifySeconds, businessesPerSecond: Math.round(records.length / classifySeconds) },
    support: {
      seconds: supportSeconds,
      businessesPerSecond: Math.round(records.length / supportSeconds),
      measuresPerSecond: Math.round(measures / supportSeconds),
    },
    match: { seconds: matchSeconds, measuresPerSecond: Math.round(matched / matchSeconds) },
    matchingAdds: Math.round(added * 1000) / 1000,
    goal: 0.25,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
