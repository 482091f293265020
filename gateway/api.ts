/**
 * What the gateway's routes answer: the zod schemas of their bodies, and the answers by status
 * the route declarations (gateway/route.ts) share. The OpenAPI document (gateway/openapi.ts) is
 * generated from the declarations, and real answers are held to these schemas by a test.
 */
import { z } from 'zod';
import { CONSENT_SCOPES } from '../lib/store/index.js';
import { BANK_PURPOSES } from './requests.js';

/** One answer of an operation. */
export interface Answer {
  readonly description: string;
  /** The body (JSON unless `contentType` says otherwise); none: no body. */
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  /** Response headers worth naming (Location of a job, Retry-After…). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The groups of operations, one per audience. */
export const TAGS = {
  public: 'Anyone: the public register, badge status, health, the API description',
  bank: 'Banks: credit-assessment tags (with a purpose) and the corrections to tags they fetched',
  platform: 'Platforms: 名特优新 badges as signed tokens',
  agency: 'Agencies: pushes of their own feeds, with a receipt',
  regulator: 'Regulators: explanations, the audit log, typing runs, 名特优新 rounds and sweeps, as jobs',
  recognitions: 'Regulators: review steps, revocations (撤销) and filing reviews (备案) of 名特优新 recognitions',
  disputes: 'Disputes (异议): filed by a business, resolved by its regulator',
  consents: 'Authorisations (授权): a business grants a bank the reading of more than is published, and revokes it',
  region: 'Regions: 京津冀 transfer checks',
  support: '精准帮扶: the support measures a business is owed, with why each matched',
  department: '帮扶台账: a department’s worklist of the measures it owes, and what it did with each',
} as const;
export type Tag = keyof typeof TAGS;

export const creditCode = z
  .string()
  .regex(/^92[0-9A-HJ-NPQRTUWXY]{16}$/)
  .describe('unified social credit code of an individual business (GB 32100-2015; starts with 92)');
export const codeParams = z.object({ code: creditCode });
export const isoDate = z.iso.date();
export const businessType = z.enum(['survival', 'growth', 'development', 'ineligible']);
export const category = z.enum(['well-known', 'distinctive', 'quality', 'emerging']).describe('知名, 特色, 优质, 新兴');

/** The one error shape (gateway/errors.ts). */
export const errorBody = z.object({
  error: z.object({
    code: z.string().describe('a stable code: INVALID_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED, UNAVAILABLE…'),
    message: z.string().describe('what was wrong, naming the field'),
  }),
});

export const reason = z.looseObject({
  criterion: z.string(),
  met: z.boolean(),
  evidence: z.unknown().optional(),
  clause: z.string().describe('the clause it encodes: the text’s number and section'),
});

export const authorisationRef = z.object({
  id: z.string(),
  scope: z.array(z.enum(CONSENT_SCOPES)),
  expiresOn: isoDate,
});

export const consentBodyOut = z.object({
  id: z.string(),
  creditCode: z.string(),
  bank: z.string(),
  purpose: z.enum(BANK_PURPOSES),
  scope: z.array(z.enum(CONSENT_SCOPES)),
  expiresOn: isoDate,
  grantedBy: z.string(),
  grantedAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const historyBody = z.object({
  creditCode: z.string(),
  history: z.array(
    z.object({ asOf: isoDate, type: businessType, label: z.string(), ruleset: z.string(), by: z.enum(['run', 'dispute']) }),
  ),
  authorisation: authorisationRef,
});

export const creditTagsBody = z.object({
  creditCode: z.string(),
  type: businessType,
  label: z.string(),
  mtyx: z.object({ category, validFrom: isoDate, validUntil: isoDate }).nullable(),
  basicStandard: z
    .object({
      typing: z.boolean(),
      mtyx: z.boolean(),
      noExcludingPenalty: z.boolean(),
      operatorNotOnCourtList: z.boolean(),
    })
    .nullable()
    .describe('only with the business’s authorisation (scope basic-standard) for this bank and purpose'),
  authorisation: authorisationRef.nullable(),
  ruleset: z.string(),
  asOf: isoDate,
});

export const publicBusinessBody = z.object({
  creditCode: z.string(),
  name: z.string().nullable(),
  region: z.string().nullable(),
  type: businessType.nullable(),
  label: z.string().nullable(),
  asOf: isoDate.nullable(),
  recognition: z.object({ category, validUntil: isoDate }).nullable(),
});

export const searchBody = z.object({
  results: z.array(
    z.object({
      creditCode: z.string(),
      name: z.string().nullable(),
      region: z.string(),
      type: businessType.nullable(),
      label: z.string().nullable(),
    }),
  ),
});

export const badgeBody = z.object({
  creditCode: z.string(),
  category,
  validFrom: isoDate,
  validUntil: isoDate,
  benefitsFrom: isoDate,
  token: z.string().describe('an ES256 JWT (typ badge+jwt, aud getihu-badge), valid a day at most'),
  jwks: z.string(),
});

export const badgeStatusBody = z.object({
  creditCode: z.string(),
  status: z.enum(['active', 'revoked', 'cancelled', 'expired', 'transferred', 'refused', 'none']),
  validUntil: isoDate.nullable(),
});

export const correction = z.looseObject({ creditCode: z.string(), kind: z.string(), recordedAt: z.string() });
export const correctionsBody = z.object({ corrections: z.array(correction), cursor: z.string() });

export const webhookView = z.object({
  url: z.string(),
  cursor: z.string(),
  failures: z.number().int(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastDeliveredAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  registeredAt: z.string(),
});

export const feedReceipt = z.object({
  agency: z.string(),
  feed: z.string(),
  source: z.string(),
  read: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  rejectedByReason: z.record(z.string(), z.number().int()),
  outcomes: z.array(
    z.object({
      line: z.number().int(),
      recordId: z.string(),
      accepted: z.boolean(),
      reasonCode: z.string().optional(),
      reason: z.string().optional(),
    }),
  ),
});

export const jobBody = z.object({
  id: z.string(),
  kind: z.enum(['run', 'round', 'sweep', 'carry']),
  area: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  progress: z.unknown(),
  result: z.unknown(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  href: z.string(),
});

export const explanation = z.looseObject({
  decision: z.looseObject({ creditCode: z.string(), type: businessType, reasons: z.array(reason) }),
  standing: z.object({ by: z.enum(['run', 'dispute']), disputeId: z.string().optional(), reason: z.string() }),
  history: z.array(z.unknown()),
  recognition: z.unknown(),
  recognitionLife: z.array(z.looseObject({ step: z.string() })),
  support: z
    .looseObject({ measures: z.array(z.unknown()) })
    .nullable()
    .describe('what the decision owes the business (精准帮扶)'),
});

export const measure = z.object({
  id: z.string(),
  title: z.string(),
  department: z.string(),
  clause: z.string(),
  channel: z.enum(['department', 'bank', 'platform', 'business']),
  noApplication: z.boolean().describe('免申即享: granted without the business applying'),
  departmentInferred: z
    .boolean()
    .optional()
    .describe('true when the text names no department for the measure: the department is the project’s reading'),
  until: z.string().optional().describe('the last day the text gives the measure'),
  conditions: z
    .array(z.string())
    .optional()
    .describe('what the business must still meet that no data source shows, each with why'),
  because: z.array(
    z.object({
      predicate: z.string().describe('type, category, recognisedAlsoGets, or a predicate over the facts'),
      evidence: z.record(z.string(), z.unknown()),
      clause: z.string().optional(),
    }),
  ),
});
export const supportOwed = z.object({
  creditCode: z.string(),
  type: businessType,
  asOf: z.string(),
  decisionId: z.string(),
  catalogue: z.string().describe('jurisdiction-year@version of the catalogue matched'),
  mtyx: z.enum(['wellKnown', 'distinctive', 'quality', 'emerging']).nullable(),
  measures: z.array(measure),
  currentDecision: z
    .object({ decisionId: z.string(), type: businessType, note: z.string() })
    .optional()
    .describe('present when the current decision (a dispute adjustment) is of another type than the measures follow'),
});

export const spotCheckCommitment = z.object({
  commitment: z.string().describe('hexadecimal SHA-256 of the secret, published before the draw'),
  committedAt: z.string(),
  secret: z.string().nullable().describe('revealed with the draw; null before it'),
  publicValue: z.string().nullable().describe('the public value the draw mixed in; null before it'),
});
export const spotCheckPublished = spotCheckCommitment.extend({
  area: z.string(),
  year: z.number().int(),
  seed: z.string().describe('SHA-256 of "<secret>:<publicValue>", hexadecimal'),
  catalogue: z.string(),
  rule: z.looseObject({
    byType: z.record(z.string(), z.object({ ratio: z.number(), frequency: z.string() })),
  }),
  summary: z.array(
    z.object({
      type: z.string(),
      period: z.string(),
      frequency: z.string(),
      population: z.number().int(),
      ratio: z.number(),
      drawn: z.number().int(),
    }),
  ),
  drawnAt: z.string(),
  method: z.string(),
});
export const spotCheckDrawn = spotCheckPublished.extend({
  list: z.array(z.object({ creditCode: z.string(), type: z.string(), period: z.string(), draw: z.string() })),
});

export const auditEntry = z.looseObject({ seq: z.number().int(), subject: z.string(), role: z.string(), action: z.string() });
export const auditPageBody = z.object({
  entries: z.array(auditEntry),
  next: z.object({ before: z.number().int() }).nullable(),
});
export const checkpoint = z.object({
  seq: z.number().int(),
  hash: z.string(),
  at: z.string(),
  token: z.string().describe('ES256 JWT, typ audit-checkpoint+jwt, aud getihu-audit: keep it'),
});
export const checkpointCheck = z.object({
  seq: z.number().int(),
  hash: z.string(),
  at: z.string(),
  consistent: z.boolean(),
  reason: z.string(),
});
export const auditVerifyBody = z.object({
  ok: z.boolean().describe('whole and vouched for: the chain recomputes and every signed checkpoint holds on it'),
  status: z
    .enum(['verified', 'broken', 'unverified'])
    .describe('unverified: the chain recomputes but no signed checkpoint vouches for it'),
  entries: z.number().int(),
  checkpoints: z.number().int().describe('signed checkpoints checked against the recomputed chain'),
  lastCheckpointSeq: z.number().int(),
  unverifiedTail: z.number().int().describe('entries after the newest checkpoint, which no signature vouches for yet'),
  brokenAt: z.number().int().optional(),
  problem: z.string().optional(),
});

export const disputeView = z.object({
  id: z.string(),
  seq: z.number().int().describe('its place in the order disputes were filed: the cursor of the next page'),
  creditCode: z.string(),
  subject: z.enum(['type', 'mtyx']),
  year: z.number().int().nullable(),
  claim: z.string(),
  status: z.enum(['open', 'upheld', 'adjusted']),
  reply: z.string().nullable(),
  respondBy: isoDate.nullable(),
  overdue: z.boolean(),
  filedAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export const disputePage = z.object({
  disputes: z.array(disputeView),
  next: z.object({ before: z.number().int() }).nullable().describe('the query of the next page; null on the last'),
});
export const disputeFiled = z.object({
  id: z.string(),
  status: z.literal('open'),
  subject: z.enum(['type', 'mtyx']),
  respondBy: isoDate,
  clause: z.string(),
});

export const transferBody = z.object({
  checkId: z.string(),
  creditCode: z.string(),
  newCreditCode: z.string().nullable(),
  fromRegion: z.string(),
  toRegion: z.string(),
  carried: z.boolean(),
  validUntil: isoDate.nullable(),
  programme: z.string().nullable(),
  reasons: z.array(z.object({ check: z.string(), met: z.boolean(), detail: z.string() })),
  clause: z.string(),
});

export const ok = (description: string, schema?: z.ZodType): Answer =>
  schema === undefined ? { description } : { description, schema };
export const fail = (description: string): Answer => ({ description, schema: errorBody });
export const invalid = fail('the request is not valid: the message names the field');
export const unauthenticated = fail('no valid bearer token');
export const forbidden = fail('this role (or this region) may not do it; the refusal is audited');
export const notFound = fail('nothing with that identifier');
export const limited = fail('too many requests');
/** The answers of a correction page (banks' and platforms' alike). */
export const correctionPageAnswers = {
  200: ok('a page of corrections and the cursor to resume from', correctionsBody),
  400: invalid,
  401: unauthenticated,
  403: forbidden,
  429: limited,
};
/** The answers of a correction event stream, for `who` (bank, platform). */
export const correctionStreamAnswers = (who: string) => ({
  200: { description: 'the event stream', contentType: 'text/event-stream', schema: z.string() },
  400: invalid,
  401: unauthenticated,
  403: forbidden,
  429: fail(`this ${who} holds as many streams as it may, or the gateway does`),
});
export const unavailable = fail('the store, the bus or the job runner is not reachable; try again');
export const job = {
  202: { description: 'accepted: the job, to follow at its href', schema: jobBody, headers: { Location: 'the job' } },
  201: ok('the job ended within `Prefer: wait=N` seconds: its result'),
};
