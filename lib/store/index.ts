/**
 * The serving store: one facade (`Store`) over PGlite (embedded, on its own thread) and PostgreSQL,
 * with typed repositories per table (consents, checkpoints, support, disputes, jobs…), one SQL for
 * both drivers, dates read as text. What the gateway and the sink read and write; raw SQL only
 * through `testing.ts`, for tests.
 */
export { auditHash } from './auditChain.js';
export type { ApplicationRow, CandidateRow, ReviewStepRow } from './candidates.js';
export type { Checkpoint } from './checkpoints.js';
export { CONSENT_SCOPES, type Consent, type ConsentScope } from './consents.js';
export type { Correction, CorrectionPosition, PositionedCorrection } from './corrections.js';
export type { PastRound, PastRun } from './pastWork.js';
export type { SpotCheckCommitment } from './spotChecks.js';
export {
  type AuditEntry,
  type AuditInput,
  type CreditTagsSnapshot,
  type JobRow,
  type Recheck,
  type RecognitionChange,
  type RecognitionRow,
  type RoundOutcomeRow,
  Store,
  type StoredDecision,
} from './store.js';
export type { Delivery, SupportOwedRow } from './support.js';
export type { Webhook } from './webhooks.js';
