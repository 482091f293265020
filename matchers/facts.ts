/**
 * The facts the decision core decides on: one business's records as the agencies hold them
 * (the `classify` input of docs/classify.md), checked and normalised into {@link BusinessFacts}:
 * dates become day numbers, money becomes integer fen, an absent section becomes "that agency
 * has no record".
 */
import { z } from 'zod';
import { type CreditCodeWarning, requireIndividualBusinessCode } from '../lib/creditCode.js';
import { type DayNumber, tryParseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { isValidDivisionCode } from '../lib/regions.js';

const money = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
const dateText = z.string();
const section = <T extends z.ZodTypeAny>(schema: T) => schema.nullish();

/** The wire shape of one business's facts (docs/classify.md, "Input"). */
export const businessFactsInput = z.object({
  creditCode: z.string(),
  name: z.string().nullish(),
  regionCode: z.string().nullish(),
  operatorId: z.string().nullish(),
  registration: section(
    z.object({
      status: z.enum(['active', 'revoked', 'cancelled', 'withdrawn']),
      establishedOn: dateText,
      seasonal: z.boolean().nullish(),
      suspendedUntil: dateText.nullish(),
    }),
  ),
  annualReport: section(
    z.object({
      year: z.number().int().min(1900).max(9999),
      filed: z.boolean(),
      revenueYuan: money.nullish(),
    }),
  ),
  marketCredit: section(
    z.object({
      abnormalOperation: z.boolean().nullish(),
      seriousIllegal: z.boolean().nullish(),
      penalties: z.array(z.object({ decidedOn: dateText, fineOrAbove: z.boolean(), repaired: z.boolean().nullish() })).nullish(),
    }),
  ),
  tax: section(
    z.object({
      registeredOn: dateText.nullish(),
      nonNormal: z.boolean().nullish(),
      generalTaxpayer: z.boolean().nullish(),
      vatPaidYuan: money.nullish(),
      iitPaidYuan: money.nullish(),
    }),
  ),
  socialInsurance: section(z.object({ insuredHeadcount: count.nullish() })),
  ip: section(z.object({ trademarksInUse: count.nullish(), patents: count.nullish() })),
  court: section(z.object({ operatorDishonest: z.boolean().nullish() })),
});

/** The wire shape, as parsed. */
export type BusinessFactsInput = z.infer<typeof businessFactsInput>;

/** An administrative penalty, normalised. */
export interface Penalty {
  readonly decidedOn: DayNumber;
  /** A fine or heavier (罚款及以上). */
  readonly fineOrAbove: boolean;
  /** Credit repair (信用修复) completed. */
  readonly repaired: boolean;
}

/** Which agencies sent a record for this business. */
export interface SourcePresence {
  readonly registration: boolean;
  readonly annualReport: boolean;
  readonly marketCredit: boolean;
  readonly tax: boolean;
  readonly socialInsurance: boolean;
  readonly ip: boolean;
  readonly court: boolean;
}

/** One business's facts, normalised for the decision core. Dates are day numbers, money is fen. */
export interface BusinessFacts {
  readonly creditCode: string;
  readonly name: string | null;
  /** The 6-digit division the business belongs to now (regionCode, else characters 3–8 of the code). */
  readonly divisionCode: string;
  readonly operatorId: string | null;
  readonly present: SourcePresence;
  readonly status: 'active' | 'revoked' | 'cancelled' | 'withdrawn' | null;
  /** NaN when there is no registration record. */
  readonly establishedOn: DayNumber;
  readonly seasonal: boolean;
  /** NaN when no suspension is on file. */
  readonly suspendedUntil: DayNumber;
  /** NaN when there is no annual report record. */
  readonly reportYear: number;
  readonly reportFiled: boolean;
  /** NaN when the report gives no revenue. */
  readonly revenueFen: number;
  readonly abnormalOperation: boolean;
  readonly seriousIllegal: boolean;
  readonly penalties: readonly Penalty[];
  /** NaN when not tax-registered. */
  readonly taxRegisteredOn: DayNumber;
  readonly taxNonNormal: boolean;
  readonly generalTaxpayer: boolean;
  readonly vatPaidFen: number;
  readonly iitPaidFen: number;
  readonly insuredHeadcount: number;
  readonly trademarksInUse: number;
  readonly patents: number;
  readonly operatorDishonest: boolean;
  /** Warnings carried from validation (e.g. an allow-listed checksum failure). */
  readonly warnings: readonly CreditCodeWarning[];
}

/** Options for {@link normaliseFacts}. */
export interface NormaliseOptions {
  readonly checksumAllowList?: ReadonlySet<string>;
}

function date(text: string, field: string): DayNumber {
  const n = tryParseIsoDate(text);
  if (n === undefined) {
    throw new GetihuError('INVALID_DATE', `${field}: '${text}' is not a calendar date in the form YYYY-MM-DD`, { field });
  }
  return n;
}

function optionalDate(text: string | null | undefined, field: string): DayNumber {
  return text === null || text === undefined ? Number.NaN : date(text, field);
}

/** Yuan to integer fen, rounding half away from zero at the fen. */
export function yuanToFen(yuan: number): number {
  return Math.round(yuan * 100);
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? '(record)' : issue.path.join('.');
  return `${path}: ${issue.message}`;
}

/**
 * Checks one record's shape and content and normalises it.
 * @throws GetihuError `INVALID_INPUT`, `INVALID_CREDIT_CODE`, `NOT_INDIVIDUAL_BUSINESS`,
 *   `INVALID_REGION_CODE` or `INVALID_DATE`, naming the field.
 */
export function normaliseFacts(raw: unknown, options: NormaliseOptions = {}): BusinessFacts {
  const parsed = businessFactsInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new GetihuError('INVALID_INPUT', describeZodIssue(issue), { field: issue.path.join('.') });
  }
  const input = parsed.data;
  const code = requireIndividualBusinessCode(input.creditCode, 'creditCode', options.checksumAllowList ?? new Set());
  const regionCode = input.regionCode ?? code.divisionCode;
  if (!isValidDivisionCode(regionCode)) {
    throw new GetihuError('INVALID_REGION_CODE', `regionCode: '${regionCode}' is not a GB/T 2260 division code`, {
      field: 'regionCode',
    });
  }
  const reg = input.registration ?? null;
  const report = input.annualReport ?? null;
  const credit = input.marketCredit ?? null;
  const tax = input.tax ?? null;
  return {
    creditCode: code.code,
    name: input.name ?? null,
    divisionCode: regionCode,
    operatorId: input.operatorId ?? null,
    present: {
      registration: reg !== null,
      annualReport: report !== null,
      marketCredit: credit !== null,
      tax: tax !== null,
      socialInsurance: input.socialInsurance != null,
      ip: input.ip != null,
      court: input.court != null,
    },
    status: reg?.status ?? null,
    establishedOn: reg === null ? Number.NaN : date(reg.establishedOn, 'registration.establishedOn'),
    seasonal: reg?.seasonal === true,
    suspendedUntil: optionalDate(reg?.suspendedUntil, 'registration.suspendedUntil'),
    reportYear: report?.year ?? Number.NaN,
    reportFiled: report?.filed === true,
    revenueFen: report?.revenueYuan == null ? Number.NaN : yuanToFen(report.revenueYuan),
    abnormalOperation: credit?.abnormalOperation === true,
    seriousIllegal: credit?.seriousIllegal === true,
    penalties: (credit?.penalties ?? []).map((p, i) => ({
      decidedOn: date(p.decidedOn, `marketCredit.penalties.${i}.decidedOn`),
      fineOrAbove: p.fineOrAbove,
      repaired: p.repaired === true,
    })),
    taxRegisteredOn: optionalDate(tax?.registeredOn, 'tax.registeredOn'),
    taxNonNormal: tax?.nonNormal === true,
    generalTaxpayer: tax?.generalTaxpayer === true,
    vatPaidFen: yuanToFen(tax?.vatPaidYuan ?? 0),
    iitPaidFen: yuanToFen(tax?.iitPaidYuan ?? 0),
    insuredHeadcount: input.socialInsurance?.insuredHeadcount ?? 0,
    trademarksInUse: input.ip?.trademarksInUse ?? 0,
    patents: input.ip?.patents ?? 0,
    operatorDishonest: input.court?.operatorDishonest === true,
    warnings: code.warnings,
  };
}
