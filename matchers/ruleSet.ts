/**
 * Rule sets: the typing (分型) and 名特优新 (分类) criteria of one region for a span of dates,
 * as versioned data files under `matchers/rules/<region>/<year>.json`. Each criterion names
 * the clause it encodes (the text's number, or a draft's short title, and the section). Money
 * thresholds are data here, never code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type DayNumber, tryParseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import type { ProgrammeRegion } from '../lib/regions.js';

const clause = z.string().min(3);
const isoDate = z.string().refine((s) => tryParseIsoDate(s) !== undefined, 'must be a YYYY-MM-DD date');
const level = z.enum(['district', 'city', 'province', 'national']);
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be MM-DD');
/**
 * Applications from `applicationsFrom`, the decision by `decisionBy`, both in the round year; the
 * category standards public by `standardsPublishedBy` where the text dates it.
 */
const roundCalendar = z.object({
  applicationsFrom: monthDay,
  decisionBy: monthDay,
  standardsPublishedBy: monthDay.optional(),
  clause,
});
const recommenderLevels = z.array(z.enum(['district', 'city', 'province'])).min(1);

/** A typing criterion; `kind` selects the evaluator in typing.ts. */
const typingCriterion = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('establishedYearsAtLeast'), years: z.number().int().min(0) }),
  z.object({ kind: z.literal('taxRegisteredYearsAtLeast'), years: z.number().int().min(0) }),
  z.object({ kind: z.literal('revenueAtLeast'), threshold: z.string() }),
  z.object({ kind: z.literal('taxPaidAny') }),
  z.object({ kind: z.literal('taxPaidAtLeast'), threshold: z.string() }),
  z.object({ kind: z.literal('insuredHeadcountBetween'), min: z.number().int().min(0), max: z.number().int().min(0).nullable() }),
  z.object({ kind: z.literal('generalTaxpayer'), taxPaidThreshold: z.string().nullable() }),
  z.object({ kind: z.literal('trademarksInUseAtLeast'), min: z.number().int().min(1) }),
  z.object({ kind: z.literal('patentsAtLeast'), min: z.number().int().min(1) }),
]);

const withMeta = <T extends z.ZodTypeAny>(s: T) => z.intersection(s, z.object({ id: z.string(), clause, text: z.string() }));
const typingCriterionWithMeta = withMeta(typingCriterion);
/** One typing criterion with its id, clause and original wording. */
export type TypingCriterion = z.infer<typeof typingCriterionWithMeta>;

const typeRule = z.object({
  clause,
  /** All must hold. */
  gates: z.array(typingCriterionWithMeta),
  /** At least one must hold. */
  anyOf: z.array(typingCriterionWithMeta).min(1),
});

/** A 名特优新 category criterion; `kind` selects the evaluator in mtyx/categories.ts. */
const categoryCriterion = z.discriminatedUnion('kind', [
  /** A judgement the regulator's review records (brand influence, uniqueness…). */
  z.object({ kind: z.literal('judgement'), flag: z.string() }),
  /** Recommended by a department (经相关部门推荐). */
  z.object({ kind: z.literal('recommended') }),
  z.object({ kind: z.literal('trademarkWithFame') }),
  z.object({
    kind: z.literal('award'),
    award: z.enum(['partyBuilding', 'government']),
    minLevel: level,
    withinYears: z.number().int().positive().nullable(),
  }),
  z.object({ kind: z.literal('certificate'), certificates: z.array(z.string()).min(1) }),
  z.object({ kind: z.literal('geographicIndication'), minLevel: level }),
  z.object({ kind: z.literal('starRated'), ratings: z.array(z.string()).min(1), minLevel: level }),
  z.object({ kind: z.literal('operatingYearsOver'), years: z.number().int().positive() }),
  z.object({ kind: z.literal('heritageTitle'), titles: z.array(z.string()).min(1), minLevel: level }),
  z.object({ kind: z.literal('skill'), maxGrade: z.number().int().min(1).max(5), minLevel: level }),
  z.object({ kind: z.literal('professionalTitle'), minTitle: z.enum(['junior', 'intermediate', 'senior']) }),
  z.object({ kind: z.literal('intellectualProperty'), flag: z.string(), orFlag: z.string().nullable() }),
  /** 美誉度高 (a reviewer's flag) and 粉丝量或用户数量大 (the follower threshold) and 经营状况良好 (a reviewer's flag): all three. */
  z.object({ kind: z.literal('platformAudience'), threshold: z.string(), reputationFlag: z.string(), operatingFlag: z.string() }),
]);
const categoryCriterionWithMeta = withMeta(categoryCriterion);
/** One 名特优新 category criterion with its id, clause and original wording. */
export type CategoryCriterion = z.infer<typeof categoryCriterionWithMeta>;

/** The four 名特优新 categories: 知名 well-known, 特色 distinctive, 优质 quality, 新兴 emerging. */
export const MTYX_CATEGORIES = ['wellKnown', 'distinctive', 'quality', 'emerging'] as const;
/** A 名特优新 category. */
export type MtyxCategory = (typeof MTYX_CATEGORIES)[number];
const categoryName = z.enum(MTYX_CATEGORIES);

const ruleSetSchema = z.object({
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  id: z.string().regex(/^[a-z]+-\d{4}$/),
  version: z.number().int().positive(),
  region: z.enum(['beijing', 'tianjin', 'hebei', 'national']),
  name: z.string(),
  effectiveFrom: isoDate,
  effectiveTo: isoDate.nullable(),
  // The texts it encodes, by number and title; `url` where the text is published.
  sources: z.array(z.object({ document: z.string().min(1), url: z.url().optional() }).strict()).min(1),
  assumptions: z.array(z.string()),
  /** Money thresholds in yuan and other figures the texts leave to the region. */
  thresholds: z.record(z.string(), z.number().nonnegative()),
  thresholdNotes: z.string(),
  /** Disputes (异议): what a business may dispute, and the days within which it gets its reply. */
  disputes: z.object({ typeClause: clause, mtyxClause: clause, responseDays: z.number().int().positive(), note: z.string() }),
  typing: z.object({
    basic: z.object({
      registered: clause,
      annualReport: clause,
      abnormalOperation: clause,
      seriousIllegal: clause,
      taxNonNormal: clause,
      suspension: clause,
    }),
    /** Beijing: a business established in the as-of year is survival automatically. */
    newThisYearIsSurvival: z.object({ applies: z.boolean(), clause: clause.nullable() }),
    growth: typeRule,
    development: typeRule,
  }),
  mtyx: z.object({
    basic: z.object({ source: clause, penalty: clause, court: clause, penaltyLookbackYears: z.number().int().positive() }),
    categories: z.object({
      wellKnown: z.array(categoryCriterionWithMeta).min(1),
      distinctive: z.array(categoryCriterionWithMeta).min(1),
      quality: z.array(categoryCriterionWithMeta).min(1),
      emerging: z.array(categoryCriterionWithMeta).min(1),
    }),
    /** Per-district criteria that replace the criterion with the same id (district texts differ). */
    districtOverrides: z
      .record(z.string().regex(/^\d{6}$/), z.object({ note: z.string(), criteria: z.array(categoryCriterionWithMeta).min(1) }))
      .optional(),
    /** Tie-break order of "the most suitable category" (更适宜类型). */
    suitabilityOrder: z.array(categoryName).length(4),
    suitabilityClause: clause,
    quota: z.object({ share: z.number().positive().max(1), scope: z.enum(['province', 'district']), clause }),
    onePerOperatorPerDistrict: clause,
    /** Which levels of department may recommend (部门推荐), with a district's own list where its text differs. */
    recommenders: z.object({
      levels: recommenderLevels,
      clause,
      districts: z.record(z.string().regex(/^\d{6}$/), z.object({ levels: recommenderLevels, clause })).optional(),
    }),
    /** The round's window (matchers/mtyx/calendar.ts), with a district's own dates where its text sets them. */
    calendar: roundCalendar.extend({
      note: z.string(),
      districts: z.record(z.string().regex(/^\d{6}$/), roundCalendar).optional(),
    }),
    /**
     * The review steps a candidate must have passed before it is recognised, per route
     * (matchers/mtyx/round.ts), and the shortest public notice in days.
     */
    review: z.object({
      application: z.array(z.enum(['verification', 'consultation', 'notice'])),
      recommendation: z.array(z.enum(['verification', 'consultation', 'notice'])),
      noticeDays: z.number().int().positive(),
      clause,
      /** The district's list filed with the level above, which may spot-check, ask for more, or refuse. */
      filingClause: clause,
      note: z.string(),
    }),
    lifecycle: z.object({
      validityYears: z.number().int().positive(),
      extensionYears: z.number().int().positive(),
      reapplyBarYears: z.number().int().positive(),
      reportDueMonthDay: z.string().regex(/^\d{2}-\d{2}$/),
      clause,
      renewalClause: clause,
      revocationClause: clause,
    }),
  }),
});

/** A rule set as stored. */
export type RuleSetData = z.infer<typeof ruleSetSchema>;

/** A loaded, validated, frozen rule set. */
export interface RuleSet extends RuleSetData {
  readonly region: ProgrammeRegion;
  /** `id@version`, as decisions report it. */
  readonly ref: string;
  readonly effectiveFromDay: DayNumber;
  readonly effectiveToDay: DayNumber;
  /** The file it came from, relative to the rules folder. */
  readonly file: string;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Validates rule-set data, including that every threshold a criterion names is defined.
 * @throws GetihuError `INVALID_RULESET`, naming the file and the offending key.
 */
export function parseRuleSet(data: unknown, file: string): RuleSet {
  const parsed = ruleSetSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new GetihuError('INVALID_RULESET', `${file}: ${issue.path.join('.')}: ${issue.message}`, { file });
  }
  const rs = parsed.data;
  const thresholdRefs: string[] = [];
  for (const c of [
    ...rs.typing.growth.gates,
    ...rs.typing.growth.anyOf,
    ...rs.typing.development.gates,
    ...rs.typing.development.anyOf,
  ]) {
    if ('threshold' in c) thresholdRefs.push(c.threshold);
    if (c.kind === 'generalTaxpayer' && c.taxPaidThreshold !== null) thresholdRefs.push(c.taxPaidThreshold);
  }
  const overrides = Object.values(rs.mtyx.districtOverrides ?? {}).flatMap((o) => o.criteria);
  const categoryIds = new Set(Object.values(rs.mtyx.categories).flatMap((list) => list.map((c) => c.id)));
  for (const c of [...Object.values(rs.mtyx.categories).flat(), ...overrides])
    if (c.kind === 'platformAudience') thresholdRefs.push(c.threshold);
  for (const c of overrides) {
    if (!categoryIds.has(c.id))
      throw new GetihuError('INVALID_RULESET', `${file}: district override '${c.id}' replaces no criterion`, { file });
  }
  for (const t of thresholdRefs) {
    if (rs.thresholds[t] === undefined) {
      throw new GetihuError('INVALID_RULESET', `${file}: a criterion names threshold '${t}', which thresholds does not define`, {
        file,
      });
    }
  }
  const ids = new Set<string>();
  const all = [
    ...rs.typing.growth.gates,
    ...rs.typing.growth.anyOf,
    ...rs.typing.development.gates,
    ...rs.typing.development.anyOf,
    ...Object.values(rs.mtyx.categories).flat(),
  ];
  for (const c of all) {
    if (ids.has(c.id)) throw new GetihuError('INVALID_RULESET', `${file}: criterion id '${c.id}' is used twice`, { file });
    ids.add(c.id);
  }
  if (new Set(rs.mtyx.suitabilityOrder).size !== 4) {
    throw new GetihuError('INVALID_RULESET', `${file}: mtyx.suitabilityOrder must name each category once`, { file });
  }
  const from = tryParseIsoDate(rs.effectiveFrom) as number;
  const to = rs.effectiveTo === null ? Number.POSITIVE_INFINITY : (tryParseIsoDate(rs.effectiveTo) as number);
  return deepFreeze({ ...rs, ref: `${rs.id}@${rs.version}`, effectiveFromDay: from, effectiveToDay: to, file });
}

/** The folder holding the rule files shipped with the system. */
export const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'rules');

/** Loads every `<region>/<year>.json` under `dir`. */
export function loadRuleSets(dir: string = RULES_DIR): RuleSet[] {
  const out: RuleSet[] = [];
  for (const region of readdirSync(dir, { withFileTypes: true })) {
    if (!region.isDirectory()) continue;
    for (const f of readdirSync(join(dir, region.name)).sort()) {
      if (!f.endsWith('.json')) continue;
      const rel = `${region.name}/${f}`;
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(join(dir, rel), 'utf8'));
      } catch (err) {
        throw new GetihuError('INVALID_RULESET', `${rel}: not valid JSON`, { file: rel }, { cause: err });
      }
      const rs = parseRuleSet(data, rel);
      if (rs.region !== region.name) {
        throw new GetihuError('INVALID_RULESET', `${rel}: region '${rs.region}' does not match its folder`, { file: rel });
      }
      out.push(rs);
    }
  }
  return out;
}

/** Picks rule sets by region and date, or by id. */
export class RuleBook {
  readonly ruleSets: readonly RuleSet[];

  constructor(ruleSets: readonly RuleSet[]) {
    const refs = new Set<string>();
    for (const rs of ruleSets) {
      if (refs.has(rs.ref)) throw new GetihuError('INVALID_RULESET', `rule set ${rs.ref} is defined twice`);
      refs.add(rs.ref);
    }
    this.ruleSets = Object.freeze([...ruleSets]);
  }

  /** The rule book of the shipped rule files. */
  static load(dir?: string): RuleBook {
    return new RuleBook(loadRuleSets(dir));
  }

  /**
   * The rule set in force for a region on a date: the latest `effectiveFrom` not after the
   * date (and not expired), highest version first.
   * @throws GetihuError `NO_RULESET_IN_FORCE`
   */
  inForce(region: ProgrammeRegion, asOf: DayNumber): RuleSet {
    let best: RuleSet | undefined;
    for (const rs of this.ruleSets) {
      if (rs.region !== region || rs.effectiveFromDay > asOf || rs.effectiveToDay < asOf) continue;
      if (
        best === undefined ||
        rs.effectiveFromDay > best.effectiveFromDay ||
        (rs.effectiveFromDay === best.effectiveFromDay && rs.version > best.version)
      ) {
        best = rs;
      }
    }
    if (best === undefined)
      throw new GetihuError('NO_RULESET_IN_FORCE', `no ${region} rule set is in force on that date`, { region });
    return best;
  }

  /**
   * A rule set by `id` (its highest version) or `id@version`.
   * @throws GetihuError `UNKNOWN_RULESET`, listing the known ids.
   */
  byRef(ref: string): RuleSet {
    const [id, v] = ref.split('@');
    const matches = this.ruleSets.filter((rs) => rs.id === id && (v === undefined || String(rs.version) === v));
    if (matches.length === 0) {
      const known = [...new Set(this.ruleSets.map((rs) => rs.ref))].sort().join(', ');
      throw new GetihuError('UNKNOWN_RULESET', `unknown rule set '${ref}'; known: ${known}`, { ruleset: ref });
    }
    return matches.reduce((a, b) => (b.version > a.version ? b : a));
  }
}
