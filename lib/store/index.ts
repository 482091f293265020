/**
 * The serving store: one facade (`Store`) over PGlite (embedded, on its own thread) and PostgreSQL,
 * with typed repositories per table (consents, checkpoints, support, disputes, jobs…), one SQL for
 * both drivers, dates read as text. What the gateway and the sink read and write; raw SQL only
 * through `testing.ts`, for tests.
 */
export { auditHash } from './auditChain.js';
export type { Checkpoint } from './checkpoints.js';
export { CONSENT_SCOPES, type Consent, type ConsentScope } from './consents.js';
export {
  type AuditEntry,
  type AuditInput,
  type Correction,
  type CorrectionPosition,
  type CreditTagsSnapshot,
  type JobRow,
  type PositionedCorrection,
  type Recheck,
  type RecognitionChange,
  type RecognitionRow,
  type RoundOutcomeRow,
  Store,
  type StoredDecision,
  type Webhook,
} from './store.js';
export type { Delivery, SupportOwedRow } from './support.js';
