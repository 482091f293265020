/**
 * The gateway's operations as data: for each route, who may call it, what it reads (path, query,
 * body — the same zod schemas the handlers check requests with) and what it answers, by status.
 * The OpenAPI document (gateway/openapi.ts) is generated from this table, and a test holds it to
 * the routes the app serves, so the description cannot drift from the API.
 */
import { z } from 'zod';
import { CONSENT_SCOPES } from '../lib/store/index.js';
import type { Role } from './auth.js';
import {
  auditQuery,
  BANK_PURPOSES,
  checkpointsQuery,
  checkpointVerifyBody,
  consentBody,
  correctionsQuery,
  deliveryBody,
  disputeBody,
  disputesQuery,
  filingQuery,
  filingReviewBody,
  historyQuery,
  monitoringQuery,
  purposeQuery,
  pushBody,
  resolveBody,
  revokeBody,
  roundBody,
  runBody,
  searchQuery,
  spotCheckBody,
  spotCheckCommitBody,
  spotCheckQuery,
  stepsBody,
  sweepBody,
  webhookBody,
  worklistQuery,
} from './requests.js';
import { transferRequest } from './transfer.js';

/** One answer of an operation. */
export interface Answer {
  readonly description: string;
  /** The body (JSON unless `contentType` says otherwise); none: no body. */
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  /** Response headers worth naming (Location of a job, Retry-After…). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One operation of the API. */
export interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** The path as express routes it (`/v1/badges/:code`). */
  readonly path: string;
  readonly operationId: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly description?: string;
  /** The roles whose tokens it accepts; `anyone`: no token needed (one sent must be valid). */
  readonly roles: readonly Role[] | 'anyone';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, Answer>>;
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

const creditCode = z
  .string()
  .regex(/^92[0-9A-HJ-NPQRTUWXY]{16}$/)
  .describe('unified social credit code of an individual business (GB 32100-2015; starts with 92)');
const codeParams = z.object({ code: creditCode });
const isoDate = z.iso.date();
const businessType = z.enum(['survival', 'growth', 'development', 'ineligible']);
const category = z.enum(['well-known', 'distinctive', 'quality', 'emerging']).describe('知名, 特色, 优质, 新兴');

/** The one error shape (gateway/errors.ts). */
export const errorBody = z.object({
  error: z.object({
    code: z.string().describe('a stable code: INVALID_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED, UNAVAILABLE…'),
    message: z.string().describe('what was wrong, naming the field'),
  }),
});

const reason = z.looseObject({
  criterion: z.string(),
  met: z.boolean(),
  evidence: z.unknown().optional(),
  clause: z.string().describe('the clause it encodes: the text’s number and section'),
});

const authorisationRef = z.object({
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
  status: z.enum(['active', 'revoked', 'cancelled', 'expired', 'refused', 'none']),
  validUntil: isoDate.nullable(),
});

const correction = z.looseObject({ creditCode: z.string(), kind: z.string(), recordedAt: z.string() });
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
  kind: z.enum(['run', 'round', 'sweep']),
  area: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  progress: z.unknown(),
  result: z.unknown(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  href: z.string(),
});

const explanation = z.looseObject({
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

const measure = z.object({
  id: z.string(),
  title: z.string(),
  department: z.string(),
  clause: z.string(),
  channel: z.enum(['department', 'bank', 'platform', 'business']),
  noApplication: z.boolean().describe('免申即享: granted without the business applying'),
  because: z.array(
    z.object({
      predicate: z.string().describe('type, category, recognisedAlsoGets, or a predicate over the facts'),
      evidence: z.record(z.string(), z.unknown()),
      clause: z.string().optional(),
    }),
  ),
});
const supportOwed = z.object({
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

const spotCheckCommitment = z.object({
  commitment: z.string().describe('hexadecimal SHA-256 of the secret, published before the draw'),
  committedAt: z.string(),
  secret: z.string().nullable().describe('revealed with the draw; null before it'),
  publicValue: z.string().nullable().describe('the public value the draw mixed in; null before it'),
});
const spotCheckPublished = spotCheckCommitment.extend({
  area: z.string(),
  year: z.number().int(),
  seed: z.string().describe('SHA-256 of "<secret>:<publicValue>", hexadecimal'),
  catalogue: z.string(),
  rule: z.looseObject({ ratios: z.object({ survival: z.number(), growth: z.number(), development: z.number() }) }),
  summary: z.array(z.object({ type: z.string(), population: z.number().int(), ratio: z.number(), drawn: z.number().int() })),
  drawnAt: z.string(),
  method: z.string(),
});
const spotCheckDrawn = spotCheckPublished.extend({
  list: z.array(z.object({ creditCode: z.string(), type: z.string(), draw: z.string() })),
});

const auditEntry = z.looseObject({ seq: z.number().int(), subject: z.string(), role: z.string(), action: z.string() });
export const auditPageBody = z.object({
  entries: z.array(auditEntry),
  next: z.object({ before: z.number().int() }).nullable(),
});
const checkpoint = z.object({
  seq: z.number().int(),
  hash: z.string(),
  at: z.string(),
  token: z.string().describe('ES256 JWT, typ audit-checkpoint+jwt, aud getihu-audit: keep it'),
});
const checkpointCheck = z.object({
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
const disputePage = z.object({
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

const ok = (description: string, schema?: z.ZodType): Answer =>
  schema === undefined ? { description } : { description, schema };
const fail = (description: string): Answer => ({ description, schema: errorBody });
const invalid = fail('the request is not valid: the message names the field');
const unauthenticated = fail('no valid bearer token');
const forbidden = fail('this role (or this region) may not do it; the refusal is audited');
const notFound = fail('nothing with that identifier');
const limited = fail('too many requests');
/** The answers of a correction page (banks' and platforms' alike). */
const correctionPageAnswers = {
  200: ok('a page of corrections and the cursor to resume from', correctionsBody),
  400: invalid,
  401: unauthenticated,
  403: forbidden,
  429: limited,
};
/** The answers of a correction event stream, for `who` (bank, platform). */
const correctionStreamAnswers = (who: string) => ({
  200: { description: 'the event stream', contentType: 'text/event-stream', schema: z.string() },
  400: invalid,
  401: unauthenticated,
  403: forbidden,
  429: fail(`this ${who} holds as many streams as it may, or the gateway does`),
});
const unavailable = fail('the store, the bus or the job runner is not reachable; try again');
const job = {
  202: { description: 'accepted: the job, to follow at its href', schema: jobBody, headers: { Location: 'the job' } },
  201: ok('the job ended within `Prefer: wait=N` seconds: its result'),
};

/** Every operation the gateway serves. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/v1/credit-tags/:code',
    operationId: 'getCreditTags',
    tag: 'bank',
    summary: 'Credit-assessment tags of a business',
    description:
      'Type, label and 名特优新 category and validity (what is published), rule set and as-of date — never amounts or headcounts; with pre-approval that is all. The basic-standard flags come only with the business’s authorisation for this bank and purpose (POST /v1/consents), which credit-assessment and product-matching need: without one they are refused (403, with the reason). The purpose and the authorisation are audited with the read.',
    roles: ['bank'],
    params: codeParams,
    query: purposeQuery,
    responses: {
      200: ok('the tags', creditTagsBody),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      429: limited,
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/credit-tags/:code/history',
    operationId: 'getTypingHistory',
    tag: 'bank',
    summary: 'The typing history of a business, for a bank it authorised (scope history)',
    roles: ['bank'],
    params: codeParams,
    query: historyQuery,
    responses: {
      200: ok('every decision, oldest first', historyBody),
      400: invalid,
      401: unauthenticated,
      403: fail('no authorisation of this bank for this purpose with scope history'),
      429: limited,
    },
  },
  {
    method: 'post',
    path: '/v1/consents',
    operationId: 'grantConsent',
    tag: 'consents',
    summary: 'A business authorises a bank to read more than is published, for one purpose, until a day',
    roles: ['public'],
    body: consentBody,
    responses: { 201: ok('granted', consentBodyOut), 400: invalid, 401: unauthenticated, 403: forbidden },
  },
  {
    method: 'get',
    path: '/v1/consents',
    operationId: 'listConsents',
    tag: 'consents',
    summary: 'A business lists the authorisations it granted, newest first',
    roles: ['public'],
    query: z.object({ creditCode }),
    responses: {
      200: ok('its authorisations', z.object({ consents: z.array(consentBodyOut) })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'delete',
    path: '/v1/consents/:id',
    operationId: 'revokeConsent',
    tag: 'consents',
    summary: 'A business revokes one of its authorisations: the bank’s next read is refused',
    roles: ['public'],
    params: z.object({ id: z.string() }),
    responses: { 200: ok('revoked', consentBodyOut), 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/bank/consents',
    operationId: 'listHeldConsents',
    tag: 'bank',
    summary: 'The authorisations this bank holds, newest first',
    roles: ['bank'],
    responses: {
      200: ok('its authorisations', z.object({ consents: z.array(consentBodyOut) })),
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'get',
    path: '/v1/credit-tags-corrections',
    operationId: 'listCorrections',
    tag: 'bank',
    summary: 'Changes to tags this bank fetched, from where it left off',
    description:
      'New typing decisions (runs, dispute adjustments) and badge status changes (expired, cancelled, revoked); give the cursor of the previous answer, or since, or neither to start from the beginning.',
    roles: ['bank'],
    query: correctionsQuery,
    responses: correctionPageAnswers,
  },
  {
    method: 'get',
    path: '/v1/credit-tags-corrections/stream',
    operationId: 'streamCorrections',
    tag: 'bank',
    summary: 'The same changes pushed as they happen',
    description: `A text/event-stream of \`correction\` events whose id is the cursor (reconnect with Last-Event-ID); at most 4 open streams per bank.`,
    roles: ['bank'],
    query: correctionsQuery,
    responses: correctionStreamAnswers('bank'),
  },
  {
    method: 'put',
    path: '/v1/credit-tags-corrections/webhook',
    operationId: 'putWebhook',
    tag: 'bank',
    summary: "Register (or replace) this bank's endpoint for the same changes",
    description:
      'The url’s origin must be on the gateway’s list; answers the signing secret, once. Each delivery is {corrections, cursor}, signed in Getihu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>; any 2xx acknowledges, anything else is retried with doubling pauses (5 s up to 1 h).',
    roles: ['bank'],
    body: webhookBody,
    responses: {
      200: ok('replaced: the endpoint and its new secret', webhookView.extend({ secret: z.string() })),
      201: ok('registered: the endpoint and its secret', webhookView.extend({ secret: z.string() })),
      400: invalid,
      401: unauthenticated,
      403: fail('the url is not on the list, or resolves to an address that is not public'),
      503: fail('this gateway delivers no webhooks'),
    },
  },
  {
    method: 'get',
    path: '/v1/credit-tags-corrections/webhook',
    operationId: 'getWebhook',
    tag: 'bank',
    summary: "This bank's endpoint and where its deliveries stand (never the secret)",
    roles: ['bank'],
    responses: { 200: ok('the endpoint', webhookView), 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'delete',
    path: '/v1/credit-tags-corrections/webhook',
    operationId: 'deleteWebhook',
    tag: 'bank',
    summary: "Remove this bank's endpoint",
    roles: ['bank'],
    responses: { 204: { description: 'removed' }, 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'public',
    summary: 'The process answers',
    roles: 'anyone',
    responses: { 429: limited, 200: ok('alive', z.object({ ok: z.literal(true) })) },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    tag: 'public',
    summary: 'The store answers, and the bus when there is one',
    roles: 'anyone',
    responses: {
      429: limited,
      200: ok('ready', z.object({ ok: z.literal(true), store: z.literal('up'), bus: z.enum(['up', 'none']) })),
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'public',
    summary: 'Prometheus metrics',
    roles: 'anyone',
    responses: {
      429: limited,
      200: { description: 'the text exposition format', contentType: 'text/plain', schema: z.string() },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApi',
    tag: 'public',
    summary: 'This description, as OpenAPI 3.1',
    roles: 'anyone',
    responses: { 429: limited, 200: ok('the document', z.record(z.string(), z.unknown())) },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    tag: 'public',
    summary: 'This description, readable (Swagger UI)',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/',
    operationId: 'registerPage',
    tag: 'public',
    summary: 'The public register, as a page: search by name or credit code, a business’s type and recognition',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/department',
    operationId: 'departmentWorklistPage',
    tag: 'department',
    summary: 'A department’s worklist, as a page: the measures it owes, and recording what was done (signed in with its token)',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/demo/shop',
    operationId: 'demoShopPage',
    tag: 'public',
    summary: 'A demo shop page embedding the badge widget, with the badge token it is given',
    roles: 'anyone',
    query: z.object({ token: z.string().optional() }),
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'badgeKeys',
    tag: 'public',
    summary: 'Public keys of badge tokens',
    roles: 'anyone',
    responses: { 429: limited, 200: ok('a JSON Web Key Set', z.object({ keys: z.array(z.record(z.string(), z.unknown())) })) },
  },
  {
    method: 'get',
    path: '/.well-known/audit-keys.json',
    operationId: 'auditKeys',
    tag: 'public',
    summary: 'Public keys of the audit checkpoints',
    roles: 'anyone',
    responses: { 200: ok('a JSON Web Key Set', z.object({ keys: z.array(z.record(z.string(), z.unknown())) })), 429: limited },
  },
  {
    method: 'get',
    path: '/v1/audit/checkpoints',
    operationId: 'listCheckpoints',
    tag: 'public',
    summary: 'Signed checkpoints of the audit chain’s head, oldest first: keep them',
    description:
      'At a fixed cadence the gateway signs the sequence number and hash of the audit chain’s last entry. Rewriting the log and re-hashing the chain, even with database access, is found by anyone who kept a checkpoint (POST /v1/audit/checkpoints/verify). Also published on the topic getihu.audit.checkpoint.',
    roles: 'anyone',
    query: checkpointsQuery,
    responses: {
      200: ok(
        'a page of checkpoints',
        z.object({ checkpoints: z.array(checkpoint), next: z.object({ after: z.number().int() }).nullable() }),
      ),
      400: invalid,
      429: limited,
      503: fail('this gateway signs no checkpoints'),
    },
  },
  {
    method: 'get',
    path: '/v1/audit/checkpoints/latest',
    operationId: 'latestCheckpoint',
    tag: 'public',
    summary: 'The newest signed checkpoint of the audit chain',
    roles: 'anyone',
    responses: {
      200: ok('the checkpoint', checkpoint),
      404: notFound,
      429: limited,
      503: fail('this gateway signs no checkpoints'),
    },
  },
  {
    method: 'post',
    path: '/v1/audit/checkpoints/verify',
    operationId: 'verifyCheckpoint',
    tag: 'public',
    summary: 'Does the chain still hold a checkpoint someone kept?',
    roles: 'anyone',
    body: checkpointVerifyBody,
    responses: {
      200: ok('what the checkpoint says of the chain today', checkpointCheck),
      400: fail('not a checkpoint this service signed'),
      429: limited,
      503: fail('this gateway signs no checkpoints'),
    },
  },
  {
    method: 'get',
    path: '/v1/public/businesses/:code',
    operationId: 'getPublicBusiness',
    tag: 'public',
    summary: 'A business as the national register shows it: type and recognition',
    roles: 'anyone',
    params: codeParams,
    responses: { 200: ok('the business', publicBusinessBody), 400: invalid, 401: unauthenticated, 404: notFound, 429: limited },
  },
  {
    method: 'get',
    path: '/v1/public/search',
    operationId: 'searchBusinesses',
    tag: 'public',
    summary: 'Search businesses by (partial) name: at most 20, 30 searches a minute',
    roles: 'anyone',
    query: searchQuery,
    responses: { 200: ok('the businesses found', searchBody), 400: invalid, 401: unauthenticated, 429: limited },
  },
  {
    method: 'get',
    path: '/v1/badges/:code',
    operationId: 'getBadge',
    tag: 'platform',
    summary: 'The 名特优新 badge as a signed token (verify offline with /.well-known/jwks.json)',
    roles: ['platform'],
    params: codeParams,
    responses: { 200: ok('the badge', badgeBody), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/badges/:code/status',
    operationId: 'getBadgeStatus',
    tag: 'platform',
    summary: 'Badge status: active, revoked, cancelled, expired or none (no token needed; open to other origins)',
    roles: 'anyone',
    params: codeParams,
    responses: { 429: limited, 200: ok('the status', badgeStatusBody), 400: invalid },
  },
  {
    method: 'get',
    path: '/v1/platform/corrections',
    operationId: 'listPlatformCorrections',
    tag: 'platform',
    summary: 'Changes to the badges this platform was given, from where it left off',
    description:
      'Badge status changes (expired, cancelled, revoked) and new typing decisions of the businesses whose badge or traffic measures this platform read; give the cursor of the previous answer, or since, or neither to start from the beginning.',
    roles: ['platform'],
    query: correctionsQuery,
    responses: correctionPageAnswers,
  },
  {
    method: 'get',
    path: '/v1/platform/corrections/stream',
    operationId: 'streamPlatformCorrections',
    tag: 'platform',
    summary: 'The same changes pushed as they happen',
    description: `A text/event-stream of \`correction\` events whose id is the cursor (reconnect with Last-Event-ID); at most 4 open streams per platform.`,
    roles: ['platform'],
    query: correctionsQuery,
    responses: correctionStreamAnswers('platform'),
  },
  {
    method: 'post',
    path: '/v1/feeds/:agency/:feed',
    operationId: 'pushFeed',
    tag: 'agency',
    summary: "Push a batch of the agency's own feed (token scope feeds:<agency>)",
    description: 'Answers each record accepted or rejected with its reason; a replayed batch is harmless.',
    roles: ['agency'],
    params: z.object({ agency: z.string(), feed: z.string() }),
    body: pushBody,
    responses: {
      200: ok('every record accepted', feedReceipt),
      207: ok('some records rejected, each with its reason', feedReceipt),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: fail('no such feed'),
      413: fail('the body is larger than 5 MB'),
      415: fail('not application/json'),
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/regulator/decisions/:code',
    operationId: 'explainDecision',
    tag: 'regulator',
    summary: 'A decision explained criterion by criterion, its history, its standing and its recognition’s life',
    roles: ['regulator'],
    params: codeParams,
    responses: { 200: ok('the explanation', explanation), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/regulator/audit',
    operationId: 'readAudit',
    tag: 'regulator',
    summary: 'The audit log, newest first, a page at a time (of the region’s businesses only)',
    roles: ['regulator'],
    query: auditQuery,
    responses: { 200: ok('a page of entries', auditPageBody), 400: invalid, 401: unauthenticated, 403: forbidden },
  },
  {
    method: 'get',
    path: '/v1/regulator/audit/verify',
    operationId: 'verifyAudit',
    tag: 'regulator',
    summary: 'Verify the audit hash chain, and that it still holds every signed checkpoint',
    roles: ['regulator'],
    responses: { 200: ok('whether the chain holds', auditVerifyBody), 401: unauthenticated, 403: forbidden },
  },
  {
    method: 'get',
    path: '/v1/regulator/jobs/:id',
    operationId: 'getJob',
    tag: 'regulator',
    summary: 'A job: its state, progress and result',
    roles: ['regulator'],
    params: z.object({ id: z.string().regex(/^job_[0-9a-f-]{36}$/) }),
    responses: { 200: ok('the job', jobBody), 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'post',
    path: '/v1/regulator/runs',
    operationId: 'startRun',
    tag: 'regulator',
    summary: 'Start a typing run for an area as of a date (a complete, versioned result set)',
    roles: ['regulator'],
    body: runBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
  },
  {
    method: 'post',
    path: '/v1/regulator/rounds',
    operationId: 'startRound',
    tag: 'regulator',
    summary: "Run a year's 名特优新 round for an area: quota use, counts and each candidate's outcome",
    roles: ['regulator'],
    body: roundBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
  },
  {
    method: 'post',
    path: '/v1/regulator/badges/sweep',
    operationId: 'sweepBadges',
    tag: 'regulator',
    summary: 'Today’s badge sweep of an area: expire what is past its validity, cancel what fails the re-check',
    roles: ['regulator'],
    body: sweepBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
  },
  {
    method: 'post',
    path: '/v1/regulator/review-steps',
    operationId: 'recordReviewSteps',
    tag: 'recognitions',
    summary: '名特优新 review steps (走访核实, 征求意见, 信息公示, objections) with their dates; the actor is the token subject',
    roles: ['regulator'],
    body: stepsBody,
    responses: {
      200: ok('every step accepted', feedReceipt),
      207: ok('some steps rejected, each with its reason', feedReceipt),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      503: unavailable,
    },
  },
  {
    method: 'post',
    path: '/v1/regulator/recognitions/:code/revoke',
    operationId: 'revokeRecognition',
    tag: 'recognitions',
    summary: 'Revoke (撤销) a recognition for fraud or bribery; a new application is barred for 5 years',
    roles: ['regulator'],
    params: codeParams,
    body: revokeBody,
    responses: {
      201: ok('the change of status', z.looseObject({ creditCode: z.string(), status: z.string() })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/regulator/filings',
    operationId: 'listFilings',
    tag: 'recognitions',
    summary: 'The recognitions a district filed (备案) for a year',
    roles: ['regulator'],
    query: filingQuery,
    responses: {
      200: ok('the filing list', z.object({ area: z.string(), year: z.number().int(), recognitions: z.array(z.unknown()) })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'post',
    path: '/v1/regulator/recognitions/:code/filing-review',
    operationId: 'reviewFiling',
    tag: 'recognitions',
    summary: 'The level above reviews a filed recognition: confirmed, more material by a date, or refused',
    roles: ['regulator'],
    params: codeParams,
    body: filingReviewBody,
    responses: {
      201: ok(
        'the review',
        z.object({
          creditCode: z.string(),
          year: z.number().int(),
          outcome: z.enum(['confirmed', 'supplement', 'refused']),
          reviewedOn: isoDate,
          supplementBy: isoDate.nullable(),
          actor: z.string(),
          note: z.string(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      503: unavailable,
    },
  },
  {
    method: 'post',
    path: '/v1/disputes',
    operationId: 'fileDispute',
    tag: 'disputes',
    summary: 'A business disputes its own type, or a 名特优新 outcome of a year (token subject = its credit code)',
    roles: ['public'],
    body: disputeBody,
    responses: { 201: ok('filed, with the date of the reply', disputeFiled), 400: invalid, 401: unauthenticated, 403: forbidden },
  },
  {
    method: 'get',
    path: '/v1/disputes',
    operationId: 'listOwnDisputes',
    tag: 'disputes',
    summary: 'A business reads its own disputes and the replies',
    roles: ['public'],
    query: disputesQuery,
    responses: {
      200: ok('its disputes, newest first', disputePage),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'get',
    path: '/v1/support',
    operationId: 'readOwnSupport',
    tag: 'support',
    summary: 'A business reads the support measures it is owed, with why each matched (token subject = its credit code)',
    roles: ['public'],
    query: z.object({ creditCode }),
    responses: { 200: ok('what it is owed', supportOwed), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/regulator/support/:code',
    operationId: 'explainSupport',
    tag: 'support',
    summary: 'The support measures a business of the region is owed, each with the target and the facts it matched on',
    roles: ['regulator'],
    params: codeParams,
    responses: { 200: ok('what it is owed', supportOwed), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/department/worklist',
    operationId: 'departmentWorklist',
    tag: 'department',
    summary: 'The measures a department owes the businesses of its region, a page of businesses at a time, with their status',
    description:
      'The token is of role department, with the scope department:<name> (as the measure catalogues name it) and its region. A measure granted without application (免申即享) stands delivered on the decision until the department records otherwise.',
    roles: ['department'],
    query: worklistQuery,
    responses: {
      200: ok(
        'a page of the worklist',
        z.object({
          department: z.string(),
          region: z.string(),
          items: z.array(
            z.looseObject({
              creditCode: z.string(),
              measureId: z.string(),
              status: z.enum(['open', 'delivered', 'declined', 'unreachable']),
              on: z.string().nullable(),
            }),
          ),
          next: z.object({ after: z.string() }).nullable(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'post',
    path: '/v1/department/deliveries',
    operationId: 'recordDelivery',
    tag: 'department',
    summary: 'Record what the department did with a measure it owes a business: delivered, declined or not reachable',
    roles: ['department'],
    body: deliveryBody,
    responses: {
      201: ok(
        'recorded',
        z.object({
          creditCode: z.string(),
          measureId: z.string(),
          department: z.string(),
          status: z.enum(['delivered', 'declined', 'unreachable']),
          on: z.string(),
          note: z.string().nullable(),
          recordedBy: z.string(),
          recordedAt: z.string(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: fail('not a measure this department owes the business'),
    },
  },
  {
    method: 'post',
    path: '/v1/regulator/spot-checks/commitments',
    operationId: 'commitSpotChecks',
    tag: 'regulator',
    summary:
      'Before the draw: the server makes the year’s secret once and publishes its SHA-256 (the same answer if asked again)',
    roles: ['regulator'],
    body: spotCheckCommitBody,
    responses: {
      201: ok('the commitment', spotCheckCommitment.extend({ area: z.string(), year: z.number().int() })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'get',
    path: '/v1/public/spot-checks/commitments',
    operationId: 'publishedSpotCheckCommitment',
    tag: 'public',
    summary: '公开: the commitment of an area’s draw of a year, published before it',
    roles: 'anyone',
    query: spotCheckQuery,
    responses: {
      200: ok('the commitment', spotCheckCommitment.extend({ area: z.string(), year: z.number().int() })),
      400: invalid,
      404: notFound,
    },
  },
  {
    method: 'post',
    path: '/v1/regulator/spot-checks',
    operationId: 'drawSpotChecks',
    tag: 'regulator',
    summary:
      'Draw the year’s 双随机、一公开 inspection list of the area, once, from the server’s committed secret and a public value, at the ratios the catalogue sets per type',
    roles: ['regulator'],
    body: spotCheckBody,
    responses: {
      201: ok('the draw, kept', spotCheckDrawn),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      409: fail('the area’s draw of that year was made already, or no commitment was made for it'),
    },
  },
  {
    method: 'get',
    path: '/v1/regulator/spot-checks',
    operationId: 'readSpotChecks',
    tag: 'regulator',
    summary: 'A draw of the area, with its list',
    roles: ['regulator'],
    query: spotCheckQuery,
    responses: { 200: ok('the draw', spotCheckDrawn), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/public/spot-checks',
    operationId: 'publishedSpotChecks',
    tag: 'public',
    summary: '公开: a draw’s seed, ratios and sizes, with how to redo it (not whom it drew)',
    roles: 'anyone',
    query: spotCheckQuery,
    responses: { 200: ok('what is published of the draw', spotCheckPublished), 400: invalid, 404: notFound },
  },
  {
    method: 'get',
    path: '/v1/regulator/monitoring',
    operationId: 'monitoring',
    tag: 'regulator',
    summary:
      '监测分析: the area’s businesses by type, moves between types year on year, employment, revenue, support by department, quota use',
    description: 'JSON with every series, or one series (series=…) as CSV (format=csv).',
    roles: ['regulator'],
    query: monitoringQuery,
    responses: {
      200: ok(
        'the series',
        z.looseObject({
          area: z.string(),
          on: z.string(),
          types: z.array(z.object({ region: z.string(), type: z.string(), n: z.number() })).optional(),
          transitions: z
            .array(z.object({ fromYear: z.number(), toYear: z.number(), from: z.string(), to: z.string(), n: z.number() }))
            .optional(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'get',
    path: '/v1/bank/support/:code',
    operationId: 'bankSupport',
    tag: 'support',
    summary: 'The finance measures (channel bank) a business is owed, for a bank it authorised (scope support)',
    roles: ['bank'],
    params: codeParams,
    query: purposeQuery,
    responses: {
      200: ok(
        'its finance measures',
        z.object({ creditCode: z.string(), type: businessType, mtyx: z.string().nullable(), measures: z.array(measure) }),
      ),
      400: invalid,
      401: unauthenticated,
      403: fail('the business has not authorised this bank for this purpose (scope support)'),
      404: notFound,
    },
  },
  {
    method: 'get',
    path: '/v1/platform/support/:code',
    operationId: 'platformSupport',
    tag: 'support',
    summary: 'The traffic-support measures (channel platform) of a 名特优新 holder whose support applies today',
    roles: ['platform'],
    params: codeParams,
    responses: {
      200: ok('its platform measures', z.object({ creditCode: z.string(), mtyx: z.string(), measures: z.array(measure) })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
    },
  },
  {
    method: 'get',
    path: '/v1/regulator/disputes',
    operationId: 'listDisputes',
    tag: 'disputes',
    summary: 'The disputes of the regulator’s region, by status or business, newest first, a page at a time',
    roles: ['regulator'],
    query: disputesQuery,
    responses: {
      200: ok('a page of the disputes', disputePage),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
  },
  {
    method: 'post',
    path: '/v1/regulator/disputes/:id/resolve',
    operationId: 'resolveDispute',
    tag: 'disputes',
    summary: 'Uphold, or adjust with a reason: an adjustment is a new decision, shared everywhere',
    roles: ['regulator'],
    params: z.object({ id: z.string() }),
    body: resolveBody,
    responses: {
      200: ok('the dispute as resolved', z.record(z.string(), z.unknown()).nullable()),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      409: fail('the dispute was resolved already (by another regulator), or the business has no decision to review'),
      503: unavailable,
    },
  },
  {
    method: 'post',
    path: '/v1/transfers/check',
    operationId: 'checkTransfer',
    tag: 'region',
    summary: '京津冀 transfer: is the recognition carried, until when, do the exclusions hold, which programme applies',
    roles: ['region', 'regulator'],
    body: transferRequest,
    responses: {
      200: ok('the check, recorded', transferBody),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      415: fail('not application/json'),
    },
  },
];
