/**
 * What each route of the gateway reads: the zod schemas of its query and body. A route declares
 * them (gateway/route.ts): the gateway checks requests with them, and the OpenAPI document
 * (gateway/openapi.ts) is generated from the same schemas.
 */
import { z } from 'zod';
import { GetihuError } from '../lib/errors.js';
import { CONSENT_SCOPES } from '../lib/store/index.js';

/**
 * A request's query or body checked with its schema: the data, or a 400 that names the first field
 * at fault (in the message and as `details.field`), says what is wrong with it, then how the
 * request is written (`usage`).
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  usage: string,
  code: 'INVALID_INPUT' | 'INVALID_ARGUMENT' = 'INVALID_INPUT',
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field =
    issue === undefined
      ? ''
      : issue.code === 'unrecognized_keys'
        ? [...issue.path, issue.keys[0]].join('.')
        : issue.path.join('.');
  const what =
    issue === undefined ? 'not accepted' : issue.code === 'unrecognized_keys' ? 'not a field of this request' : issue.message;
  // A refinement's message may name its field already.
  const said = field === '' || what.startsWith(`${field}:`) ? what : `${field}: ${what}`;
  throw new GetihuError(code, `${said}; ${usage}`, field === '' ? undefined : { field });
}

/** Purposes a bank may give for reading credit tags (授信评价, 产品匹配, 预授信). */
export const BANK_PURPOSES = ['credit-assessment', 'product-matching', 'pre-approval'] as const;
export type BankPurpose = (typeof BANK_PURPOSES)[number];

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Text a person writes, the one validator of free text on every route: trimmed, `min` to `max`
 * characters, well-formed (no lone surrogate), and no control characters — none at all on one
 * line (a name, a seed, an identifier), or none but line breaks and tabs in prose (`lines`: a
 * claim, a reason, a note). A NUL or a lone surrogate is the caller's mistake, refused with the
 * field's name before anything is done, never a 500 after.
 */
export const freeText = (min: number, max: number, o: { lines?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => s.isWellFormed(), 'not well-formed text (a lone surrogate)')
    .refine((s) => !(o.lines === true ? CONTROL_BUT_LINES : CONTROL_CHARACTERS).test(s), 'no control characters');

const plainText = (min: number, max: number) => freeText(min, max);
const prose = (min: number, max: number) => freeText(min, max, { lines: true });

export const pushBody = z
  .object({
    batchId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    records: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
  })
  .strict();

export const purposeQuery = z.object({ purpose: z.enum(BANK_PURPOSES) }).strict();

/** The purpose a bank's read gives (`?purpose=`), or INVALID_ARGUMENT listing the purposes. */
export function bankPurpose(query: unknown): BankPurpose {
  return parseRequest(purposeQuery, query, `purpose is required: one of ${BANK_PURPOSES.join(', ')}`, 'INVALID_ARGUMENT').purpose;
}

export const correctionsQuery = z
  .object({ since: z.iso.datetime().optional(), cursor: z.string().max(200).optional() })
  .strict()
  .refine((q) => q.since === undefined || q.cursor === undefined);

export const webhookBody = z
  .object({ url: z.string().max(2000), cursor: z.string().max(200).optional(), since: z.iso.datetime().optional() })
  .strict()
  .refine((b) => b.since === undefined || b.cursor === undefined, 'give cursor or since, not both');

export const disputeBody = z
  .object({
    creditCode: z.string().max(18),
    claim: prose(1, 2000),
    subject: z.enum(['type', 'mtyx']).default('type'),
    year: z.number().int().min(2024).max(2100).optional(),
  })
  .strict()
  .refine((b) => b.subject === 'type' || b.year !== undefined, {
    message: 'year: a dispute over a 名特优新 outcome names the round year',
  });

export const resolveBody = z
  .object({
    outcome: z.enum(['uphold', 'adjust']),
    type: z.enum(['survival', 'growth', 'development', 'ineligible']).optional(),
    reason: prose(1, 2000),
  })
  .strict();

/** A page of disputes: newest first, before the `seq` of the last one already read. */
export const disputesQuery = z
  .object({
    creditCode: z.string().max(18).optional(),
    status: z.enum(['open', 'upheld', 'adjusted']).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const searchQuery = z
  .object({
    name: plainText(2, 50),
  })
  .strict();

export const stepsBody = z
  .object({
    batchId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    steps: z.array(z.record(z.string(), z.unknown())).min(1).max(500),
  })
  .strict();

export const revokeBody = z
  .object({ ground: z.enum(['fraud', 'bribery']), note: prose(1, 500), on: z.iso.date().optional() })
  .strict();

export const filingQuery = z
  .object({ area: z.string().regex(/^\d{6}$/), year: z.coerce.number().int().min(2024).max(2100) })
  .strict();

/** An area: the country (000000), a province (XX0000) or a district. */
export const areaQuery = z.object({ area: z.string().regex(/^\d{6}$/) }).strict();

/** Dead letters by agency, feed and reason: the newest `limit` (default 100). */
export const deadLettersQuery = z
  .object({
    agency: z.string().max(100).optional(),
    feed: z.string().max(100).optional(),
    reasonCode: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** The past runs or rounds of an area: the newest `limit` (default 20). */
export const pastQuery = z
  .object({ area: z.string().regex(/^\d{6}$/), limit: z.coerce.number().int().min(1).max(100).default(20) })
  .strict();

export const filingReviewBody = z
  .object({
    outcome: z.enum(['confirmed', 'supplement', 'refused']),
    note: prose(1, 500),
    on: z.iso.date().optional(),
    supplementBy: z.iso.date().optional(),
  })
  .strict()
  .refine((b) => (b.outcome === 'supplement') === (b.supplementBy !== undefined), {
    message: 'supplementBy: the date more material is due, given with outcome supplement and only then',
  });

export const auditQuery = z
  .object({
    creditCode: z.string().max(18).optional(),
    subject: z.string().min(1).max(200).optional().describe("the caller's subject: a bank, a regulator, a business's code"),
    action: z
      .string()
      .regex(/^[a-z][a-z0-9.:/-]{0,99}$/)
      .optional()
      .describe('credit-tags.read, consent.grant, dispute.file, access.denied…'),
    since: z.iso.datetime().optional().describe('entries at or after this time'),
    until: z.iso.datetime().optional().describe('entries before this time'),
    before: z.coerce.number().int().positive().optional().describe('the cursor: entries before this sequence number'),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const areaAsOfBody = z.object({ area: z.string().regex(/^\d{6}$/), asOf: z.iso.date() }).strict();

export const roundBody = areaAsOfBody.extend({ decidedOn: z.iso.date().optional() }).strict();

export const runBody = areaAsOfBody.extend({ ruleset: z.string().max(40).optional() }).strict();

/** A badge sweep acts today: its date, when given, is today's (China time). */
export const sweepBody = areaAsOfBody.extend({ asOf: z.iso.date().optional() }).strict();

/** A business authorises a bank (授权): for one purpose, which parts beyond the published, until a day. */
export const consentBody = z
  .object({
    creditCode: z.string().max(18),
    bank: plainText(1, 100).describe("the bank's subject, as its tokens name it"),
    purpose: z.enum(BANK_PURPOSES),
    scope: z
      .array(z.enum(CONSENT_SCOPES))
      .min(1)
      .max(CONSENT_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'scope: each part once'),
    expiresOn: z.iso.date().describe('the last day it holds (China time), at most a year ahead'),
  })
  .strict();

/** A bank's read of a business's typing history names its purpose. */
export const historyQuery = purposeQuery;

/** A page of signed checkpoints of the audit chain. */
export const checkpointsQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional().describe('the sequence number of the last checkpoint already read'),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

/** A checkpoint someone kept, to check against the chain today. */
export const checkpointVerifyBody = z.object({ token: z.string().min(1).max(4000) }).strict();

/** A department's worklist: a page of its area's businesses, by credit code. */
export const worklistQuery = z
  .object({
    after: z.string().max(18).default(''),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    status: z.enum(['open', 'delivered', 'declined', 'unreachable']).optional(),
  })
  .strict();

/** What a department did with a measure (帮扶台账). */
export const deliveryBody = z
  .object({
    creditCode: z.string(),
    measureId: z.string().min(1).max(64),
    status: z.enum(['delivered', 'declined', 'unreachable']),
    on: z.iso.date(),
    note: prose(0, 2000).optional(),
  })
  .strict();

/** The commitment of a 双随机、一公开 draw: the area and the year (this year). */
export const spotCheckCommitBody = z
  .object({ area: z.string().regex(/^\d{6}$/), year: z.number().int().min(2024).max(2100) })
  .strict();

/**
 * A 双随机、一公开 draw: the area, the year, and a public value known only after the commitment
 * was published (a lottery's numbers, a newspaper's date line): the seed is the server's secret
 * with it, so the drawer chooses nothing.
 */
export const spotCheckBody = spotCheckCommitBody
  .extend({ publicValue: plainText(1, 200).describe('a value anyone can check, fixed after the commitment') })
  .strict();

/** Which draw: an area and a year. */
export const spotCheckQuery = z
  .object({ area: z.string().regex(/^\d{6}$/), year: z.coerce.number().int().min(2024).max(2100) })
  .strict();

/** The 监测分析 series of an area: JSON, or one series as CSV. */
export const MONITORING_SERIES = ['types', 'transitions', 'employment', 'revenue', 'tax', 'support', 'quota'] as const;
export const monitoringQuery = z
  .object({
    area: z.string().regex(/^\d{6}$/),
    format: z.enum(['json', 'csv']).default('json'),
    series: z.enum(MONITORING_SERIES).optional(),
  })
  .strict()
  .refine((q) => q.format === 'json' || q.series !== undefined, {
    message: 'series: a CSV export names one series',
    path: ['series'],
  });
