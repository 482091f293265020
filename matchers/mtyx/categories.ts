/**
 * 名特优新 category criteria (知名 well-known, 特色 distinctive, 优质 quality, 新兴 emerging):
 * which criteria of each category a candidate meets, and the one "most suitable" category.
 */
import { addYears, type DayNumber, formatIsoDate, tryParseIsoDate } from '../../lib/dates.js';
import type { BusinessFacts } from '../facts.js';
import { type CategoryCriterion, MTYX_CATEGORIES, type MtyxCategory, type RuleSet } from '../ruleSet.js';
import { latestStartReaching, type Reason } from '../typing.js';
import { type CandidateExtras, LEVEL_RANK } from './candidate.js';

type Level = keyof typeof LEVEL_RANK;
const atLeast = (l: Level, min: Level) => LEVEL_RANK[l] >= LEVEL_RANK[min];
const TITLE_RANK = { junior: 0, intermediate: 1, senior: 2 } as const;

/** The outcome of the category criteria for one candidate. */
export interface CategoryAssessment {
  /** Criteria met, per category, by id. */
  readonly met: Readonly<Record<MtyxCategory, readonly string[]>>;
  /** The chosen category, or null when none is met. */
  readonly category: MtyxCategory | null;
  /** Every criterion's outcome, with evidence and clause. */
  readonly reasons: readonly Reason[];
  /** How the category was chosen. */
  readonly choice: string;
}

/** The category criteria that apply in a district (the rule set's list, with district overrides). */
export function criteriaFor(rs: RuleSet, district: string): Readonly<Record<MtyxCategory, readonly CategoryCriterion[]>> {
  const overrides = rs.mtyx.districtOverrides?.[district]?.criteria ?? [];
  const byId = new Map(overrides.map((c) => [c.id, c]));
  const out = {} as Record<MtyxCategory, readonly CategoryCriterion[]>;
  for (const cat of MTYX_CATEGORIES) out[cat] = rs.mtyx.categories[cat].map((c) => byId.get(c.id) ?? c);
  return out;
}

/** Honours of an accepted kind awarded at `minLevel` or above (星级, 传统文化标志 and the like). */
function titlesAtLevel(
  source: string,
  held: readonly { readonly kind: string; readonly level: Level }[],
  accepted: readonly string[],
  minLevel: Level,
): { met: boolean; evidence: Record<string, unknown> } {
  const hits = held.filter((t) => accepted.includes(t.kind) && atLeast(t.level, minLevel));
  return { met: hits.length > 0, evidence: { source, matching: hits, accepted, minLevel } };
}

function evaluate(
  c: CategoryCriterion,
  category: MtyxCategory,
  f: BusinessFacts,
  x: CandidateExtras,
  rs: RuleSet,
  on: DayNumber,
): { met: boolean; evidence: Record<string, unknown> } {
  const review = x.application?.review ?? {};
  const h = x.honours;
  switch (c.kind) {
    case 'judgement':
      return {
        met: review[c.flag] === true,
        evidence: { source: 'application.review', flag: c.flag, value: review[c.flag] ?? null },
      };
    case 'recommended': {
      const a = x.application;
      const met =
        a !== null &&
        a.route === 'recommendation' &&
        a.operatorConsent === true &&
        (a.category == null || a.category === category);
      return {
        met,
        evidence: {
          source: 'application',
          route: a?.route ?? null,
          recommender: a?.recommender ?? null,
          category: a?.category ?? null,
          operatorConsent: a?.operatorConsent ?? null,
        },
      };
    }
    case 'trademarkWithFame':
      return {
        met: f.trademarksInUse >= 1 && review.trademarkFame === true,
        evidence: {
          source: 'ip+application.review',
          trademarksInUse: f.trademarksInUse,
          trademarkFame: review.trademarkFame ?? null,
        },
      };
    case 'award': {
      const from = c.withinYears === null ? Number.NEGATIVE_INFINITY : addYears(on, -c.withinYears);
      const hits = h.awards.filter((a) => {
        const d = tryParseIsoDate(a.awardedOn) as number;
        return a.kind === c.award && atLeast(a.level, c.minLevel) && d >= from && d <= on;
      });
      return {
        met: hits.length > 0,
        evidence: { source: 'honours.awards', matching: hits, minLevel: c.minLevel, withinYears: c.withinYears },
      };
    }
    case 'certificate': {
      const hits = h.certifications.filter((k) => c.certificates.includes(k.kind));
      return {
        met: hits.length > 0,
        evidence: { source: 'honours.certifications', matching: hits.map((k) => k.kind), accepted: c.certificates },
      };
    }
    case 'geographicIndication': {
      const hits = h.geographicIndications.filter((g) => g.related && atLeast(g.level, c.minLevel));
      return {
        met: hits.length > 0,
        evidence: { source: 'honours.geographicIndications', matching: hits, minLevel: c.minLevel },
      };
    }
    case 'starRated':
      return titlesAtLevel('honours.starRatings', h.starRatings, c.ratings, c.minLevel);
    case 'operatingYearsOver': {
      // "超过 N 年": N full years reached and more, so strictly before the latest day that reaches N years.
      const met = f.status === 'active' && f.establishedOn < latestStartReaching(on, c.years);
      return {
        met,
        evidence: {
          source: 'registration',
          establishedOn: Number.isNaN(f.establishedOn) ? null : formatIsoDate(f.establishedOn),
          overYears: c.years,
        },
      };
    }
    case 'heritageTitle':
      return titlesAtLevel('honours.heritageTitles', h.heritageTitles, c.titles, c.minLevel);
    case 'skill': {
      const hits = h.skills.filter((s) =>
        s.kind === 'qualification' || s.kind === 'skillLevel'
          ? s.related && s.grade != null && s.grade <= c.maxGrade
          : s.level != null && atLeast(s.level, c.minLevel),
      );
      return {
        met: hits.length > 0,
        evidence: { source: 'honours.skills', matching: hits, maxGrade: c.maxGrade, minLevel: c.minLevel },
      };
    }
    case 'professionalTitle': {
      const hits = h.professionalTitles.filter((t) => t.related && TITLE_RANK[t.level] >= TITLE_RANK[c.minTitle]);
      return { met: hits.length > 0, evidence: { source: 'honours.professionalTitles', matching: hits, minTitle: c.minTitle } };
    }
    case 'intellectualProperty': {
      const ip = f.trademarksInUse + f.patents >= 1 && review[c.flag] === true;
      const alt = c.orFlag !== null && review[c.orFlag] === true;
      return {
        met: ip || alt,
        evidence: {
          source: 'ip+application.review',
          trademarksInUse: f.trademarksInUse,
          patents: f.patents,
          [c.flag]: review[c.flag] ?? null,
          ...(c.orFlag === null ? {} : { [c.orFlag]: review[c.orFlag] ?? null }),
        },
      };
    }
    case 'platformAudience': {
      // 美誉度高、粉丝量或用户数量大，经营状况良好: all three, the audience from the platform's
      // figures, reputation and operating condition from the reviewer.
      const min = rs.thresholds[c.threshold] as number;
      const audience = h.platformFollowers >= min;
      const reputation = review[c.reputationFlag] === true;
      const operating = review[c.operatingFlag] === true;
      return {
        met: audience && reputation && operating,
        evidence: {
          source: 'honours.platformFollowers+application.review',
          followers: h.platformFollowers,
          threshold: min,
          [c.reputationFlag]: review[c.reputationFlag] ?? null,
          [c.operatingFlag]: review[c.operatingFlag] ?? null,
        },
      };
    }
  }
}

/**
 * Assesses every category criterion on the date `on` (the application date) and chooses one
 * category. "Most suitable" (更适宜类型), in order: the category applied or recommended for,
 * if met; else the category with the most criteria met; ties by the rule set's suitabilityOrder.
 */
export function assessCategories(f: BusinessFacts, x: CandidateExtras, rs: RuleSet, on: DayNumber): CategoryAssessment {
  const criteria = criteriaFor(rs, f.divisionCode);
  const reasons: Reason[] = [];
  const met = {} as Record<MtyxCategory, string[]>;
  for (const cat of MTYX_CATEGORIES) {
    met[cat] = [];
    for (const c of criteria[cat]) {
      const r = evaluate(c, cat, f, x, rs, on);
      if (r.met) met[cat].push(c.id);
      reasons.push({ criterion: c.id, met: r.met, evidence: r.evidence, clause: c.clause });
    }
  }
  const requested = x.application?.category ?? null;
  if (requested !== null && met[requested].length > 0) {
    return { met, category: requested, reasons, choice: `the category applied or recommended for (${requested}) is met` };
  }
  // 经相关部门推荐的 is a criterion of every category: a recommendation that names no category meets
  // one in each, and would be decided by the tie order alone. The recommending department names
  // the category; without it, only the other criteria can choose one.
  const recommendedOnly = new Set(
    MTYX_CATEGORIES.flatMap((cat) => criteria[cat].filter((c) => c.kind === 'recommended').map((c) => c.id)),
  );
  const counted = (cat: MtyxCategory) => met[cat].filter((id) => !recommendedOnly.has(id)).length;
  const order = rs.mtyx.suitabilityOrder;
  let best: MtyxCategory | null = null;
  for (const cat of order) if (counted(cat) > 0 && (best === null || counted(cat) > counted(best))) best = cat;
  const tied = best === null ? [] : order.filter((cat) => counted(cat) === counted(best as MtyxCategory));
  const why = requested === null ? 'no category was requested' : `the requested category (${requested}) is not met`;
  const choice =
    best === null
      ? MTYX_CATEGORIES.some((cat) => met[cat].length > 0)
        ? `${why}; only 经相关部门推荐 is met, in every category alike: the recommending department names the category`
        : 'no category criterion is met'
      : tied.length > 1
        ? `${why}; ${tied.join(', ')} have the most criteria met (${counted(best)}): ${best} by the tie order ${order.join(' > ')}, which is provisional — the texts say only 以更适宜类型认定 (${rs.mtyx.suitabilityClause})`
        : `${why}; ${best} has the most criteria met (${counted(best)})`;
  return { met, category: best, reasons, choice };
}
