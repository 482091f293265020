/**
 * Culture, tourism and agriculture bureaus (文旅, 农业农村 and others): certifications and honours
 * the 名特优新 category criteria use. Nested lists travel as JSON (JSONL, or JSON cells in CSV).
 */
import { z } from 'zod';
import { honoursSchema } from '../../matchers/index.js';
import { CREDIT_CODE_COLUMN, checkCreditCode, day, type FeedDefinition, shapeError } from '../feed.js';

/** Honours per business. */
export const honoursFeed: FeedDefinition = {
  agency: 'culture-agriculture',
  feed: 'honours',
  topic: 'honours',
  description:
    'honours: certifications, geographic indications, heritage titles, skills, titles, awards, star ratings, platform followers',
  columns: [CREDIT_CODE_COLUMN, { header: 'honours', field: 'honours', kind: 'json' }],
  row: z.object({ creditCode: z.string(), honours: z.unknown() }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    const h = honoursSchema.safeParse(r.honours ?? {});
    if (!h.success)
      throw shapeError({ ...(h.error.issues[0] as z.core.$ZodIssue), path: ['honours', ...(h.error.issues[0]?.path ?? [])] });
    r.honours = h.data;
  },
  toFact: (r, source) => {
    const h = r.honours as z.infer<typeof honoursSchema>;
    return {
      topic: 'honours',
      key: r.creditCode as string,
      value: {
        creditCode: r.creditCode,
        certifications: h.certifications,
        geographicIndications: h.geographicIndications.map((g) => ({ name: g.name ?? null, level: g.level, related: g.related })),
        heritageTitles: h.heritageTitles,
        skills: h.skills.map((s) => ({ kind: s.kind, grade: s.grade ?? null, level: s.level ?? null, related: s.related })),
        professionalTitles: h.professionalTitles,
        awards: h.awards.map((a) => ({ kind: a.kind, level: a.level, awardedOn: day(a.awardedOn) })),
        starRatings: h.starRatings,
        platformFollowers: h.platformFollowers,
        source,
      },
    };
  },
};
