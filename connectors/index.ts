/**
 * Connectors: each agency's feed as it exports it (CSV, JSON lines, or a library call for the
 * gateway's HTTP push) → checked → Avro → its topic; every bad record to the dead-letter topic
 * with its source, line, reason code and original bytes.
 */
import { courtFeed } from './court/index.js';
import { honoursFeed } from './culture-agriculture/index.js';
import type { FeedDefinition } from './feed.js';
import { ipFeed } from './ip-office/index.js';
import {
  annualReportFeed,
  applicationFeed,
  marketCreditFeed,
  mtyxReportFeed,
  registrationFeed,
  reviewStepFeed,
} from './market-regulator/index.js';
import { socialInsuranceFeed } from './social-insurance/index.js';
import { taxFeed } from './tax/index.js';

/** Every feed, by `agency/feed`. */
export const FEEDS: ReadonlyMap<string, FeedDefinition> = new Map(
  [
    registrationFeed,
    annualReportFeed,
    marketCreditFeed,
    applicationFeed,
    mtyxReportFeed,
    reviewStepFeed,
    taxFeed,
    socialInsuranceFeed,
    ipFeed,
    courtFeed,
    honoursFeed,
  ].map((f) => [`${f.agency}/${f.feed}`, f]),
);

export { CheckPool } from './checkPool.js';
export { exportFeeds } from './exportFeeds.js';
export type { FactRecord, FeedDefinition, Provenance } from './feed.js';
export {
  type FileFormat,
  type FileRead,
  type IngestOptions,
  type IngestSummary,
  ingestLines,
  ingestRecords,
  type RawRecord,
  type RecordOutcome,
} from './ingest.js';
export {
  type ExportProfile,
  parseProfile,
  readProfile,
  STANDARD_PROFILE,
  statedProfile,
} from './profile.js';
export { splitBusiness } from './split.js';
