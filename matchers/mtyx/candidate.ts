/**
 * What a 名特优新 candidate brings beyond the typing facts: honours the agencies hold
 * (certifications, heritage titles, skills, awards…) and the application or department
 * recommendation with the regulator's review of its judgement items.
 */
import { z } from 'zod';
import { type DayNumber, tryParseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { MTYX_CATEGORIES } from '../ruleSet.js';

const level = z.enum(['district', 'city', 'province', 'national']);
/** Administrative levels in rising order (区级 < 市级 < 省级 < 国家级). */
export const LEVEL_RANK = { district: 0, city: 1, province: 2, national: 3 } as const;

const date = z.string().refine((s) => tryParseIsoDate(s) !== undefined, 'must be a YYYY-MM-DD calendar date');

/** Honours and certifications on file for a business or its operator. */
export const honoursSchema = z.object({
  certifications: z.array(z.object({ kind: z.string() })).default([]),
  geographicIndications: z.array(z.object({ name: z.string().nullish(), level, related: z.boolean() })).default([]),
  heritageTitles: z.array(z.object({ kind: z.string(), level })).default([]),
  skills: z
    .array(
      z.object({
        kind: z.enum(['qualification', 'skillLevel', 'skillHonour', 'talentProgramme']),
        /** 1 (highest, 一级) to 5 for certificates. */
        grade: z.number().int().min(1).max(5).nullish(),
        level: level.nullish(),
        related: z.boolean().default(true),
      }),
    )
    .default([]),
  professionalTitles: z
    .array(z.object({ level: z.enum(['junior', 'intermediate', 'senior']), related: z.boolean() }))
    .default([]),
  awards: z.array(z.object({ kind: z.enum(['partyBuilding', 'government']), level, awardedOn: date })).default([]),
  starRatings: z.array(z.object({ kind: z.string(), level })).default([]),
  platformFollowers: z.number().int().nonnegative().default(0),
});
/** Honours, parsed. */
export type Honours = z.infer<typeof honoursSchema>;

/** An application (自主申报) or department recommendation (部门推荐) for one year's round. */
export const applicationSchema = z.object({
  year: z.number().int(),
  route: z.enum(['application', 'recommendation']),
  /** The category applied or recommended for; null lets the regulator choose. */
  category: z.enum(MTYX_CATEGORIES).nullish(),
  submittedOn: date,
  recommender: z.string().nullish(),
  /** The recommender's level; without it, read from the first character of its name (区/县, 市, 省). */
  recommenderLevel: z.enum(['district', 'city', 'province']).nullish(),
  /** A recommendation needs the operator's prior consent (事先征得经营者本人同意). */
  operatorConsent: z.boolean().nullish(),
  /** Veterans, new graduates, disabled people, returning migrant workers: source may be relaxed. */
  specialGroup: z.enum(['veteran', 'graduate', 'disabled', 'returningMigrant']).nullish(),
  /** The regulator's review of the judgement items, flag by flag. */
  review: z.record(z.string(), z.boolean()).default({}),
});
/** An application, parsed. */
export type Application = z.infer<typeof applicationSchema>;

/** A yearly information report (信息报告), or a report of a change of operator. */
export const reportSchema = z.object({
  year: z.number().int(),
  reportedOn: date,
  operatorChanged: z.boolean().default(false),
  newOperatorId: z.string().min(1).nullish(),
});
/** A report, parsed. */
export type Report = z.infer<typeof reportSchema>;

/** One review step of a candidate (走访核实, 征求意见, 信息公示, an objection during the notice). */
export const reviewStepSchema = z.object({
  year: z.number().int(),
  step: z.enum(['verification', 'consultation', 'notice', 'objection']),
  stepId: z.string().min(1),
  on: date,
  until: date.nullish(),
  outcome: z.enum(['passed', 'failed', 'noObjection', 'objection', 'published', 'pending', 'upheld', 'dismissed']),
  actor: z.string().min(1),
  note: z.string().nullish(),
});
/** A review step, parsed. */
export type ReviewStep = z.infer<typeof reviewStepSchema>;

/** The 名特优新 part of an input record. */
export interface CandidateExtras {
  readonly honours: Honours;
  readonly application: Application | null;
  readonly submittedOn: DayNumber;
  /** The business's information reports on file, any year. */
  readonly reports: readonly Report[];
  /** The review steps on file, any year. */
  readonly reviewSteps: readonly ReviewStep[];
}

const EMPTY_HONOURS: Honours = honoursSchema.parse({});

/**
 * Reads the `honours` and `application` sections of a record (both optional).
 * @throws GetihuError `INVALID_INPUT` naming the field.
 */
export function parseCandidateExtras(raw: Record<string, unknown>): CandidateExtras {
  const h = raw.honours == null ? { success: true as const, data: EMPTY_HONOURS } : honoursSchema.safeParse(raw.honours);
  if (!h.success) {
    const i = h.error.issues[0] as z.core.$ZodIssue;
    throw new GetihuError('INVALID_INPUT', `honours.${i.path.join('.')}: ${i.message}`, { field: `honours.${i.path.join('.')}` });
  }
  const rp = raw.mtyxReports == null ? { success: true as const, data: [] } : z.array(reportSchema).safeParse(raw.mtyxReports);
  if (!rp.success) {
    const i = rp.error.issues[0] as z.core.$ZodIssue;
    throw new GetihuError('INVALID_INPUT', `mtyxReports.${i.path.join('.')}: ${i.message}`, {
      field: `mtyxReports.${i.path.join('.')}`,
    });
  }
  const reports = rp.data;
  const st =
    raw.reviewSteps == null ? { success: true as const, data: [] } : z.array(reviewStepSchema).safeParse(raw.reviewSteps);
  if (!st.success) {
    const i = st.error.issues[0] as z.core.$ZodIssue;
    throw new GetihuError('INVALID_INPUT', `reviewSteps.${i.path.join('.')}: ${i.message}`, {
      field: `reviewSteps.${i.path.join('.')}`,
    });
  }
  const reviewSteps = st.data;
  if (raw.application == null) return { honours: h.data, application: null, submittedOn: Number.NaN, reports, reviewSteps };
  const a = applicationSchema.safeParse(raw.application);
  if (!a.success) {
    const i = a.error.issues[0] as z.core.$ZodIssue;
    throw new GetihuError('INVALID_INPUT', `application.${i.path.join('.')}: ${i.message}`, {
      field: `application.${i.path.join('.')}`,
    });
  }
  return {
    honours: h.data,
    application: a.data,
    submittedOn: tryParseIsoDate(a.data.submittedOn) as number,
    reports,
    reviewSteps,
  };
}
