/**
 * The decision core: typing (分型) and 名特优新 (分类) as pure functions over facts, rule sets
 * and an as-of date, plus the classify contract. Everything else in matchers/ is internal.
 */

export { Classifier, type ClassifierOptions, type ClassifyErrorLine, type ClassifyOutcome } from './classifier.js';
export { type DecidedFacts, decidedFactsOf, factsFromDecided } from './decidedFacts.js';
export { type CompactDecision, Explainer } from './explain.js';
export { type BusinessFacts, type BusinessFactsInput, businessFactsInput, normaliseFacts } from './facts.js';
export { inventoryMarkdown, inventoryOf, type RuleFileForInventory } from './inventory.js';
export { barEnd, benefitsFrom, type RoundWindow, reportDue, reportYearsDue, roundWindow } from './mtyx/calendar.js';
export { type CandidateExtras, honoursSchema, parseCandidateExtras, type ReviewStep } from './mtyx/candidate.js';
export {
  CARRY_CLAUSE,
  type CarriedCheck,
  type CarriedRecognition,
  type CarryOutcome,
  type DestinationRegistration,
  decideCarry,
  type TransferredBadge,
} from './mtyx/carry.js';
export { assessCategories, type CategoryAssessment, criteriaFor } from './mtyx/categories.js';
export { type LedgerEvent, RecognitionLedger } from './mtyx/ledger.js';
export {
  badgeChangeOn,
  decideRenewal,
  mayApply,
  type RecognitionEvent,
  type RecognitionStatus,
  recognitionStatusOn,
} from './mtyx/lifecycle.js';
export { assessReview, reviewStanding } from './mtyx/review.js';
export {
  type CandidateResult,
  type ExistingRecognition,
  quotaUnitOf,
  type RoundInput,
  type RoundResult,
  runRecognitionRound,
  type SourceExemption,
} from './mtyx/round.js';
export type { TypingCriterion } from './ruleSet.js';
export { loadRuleSets, MTYX_CATEGORIES, type MtyxCategory, parseRuleSet, RuleBook, type RuleSet } from './ruleSet.js';
export {
  type Catalogue,
  CatalogueBook,
  type Drawn,
  drawSpotChecks,
  loadCatalogueBook,
  loadCatalogues,
  type MatchedMeasure,
  recognitionInEffect,
  type SpotCheckDraw,
  Support,
  type SupportRecognition,
  type SupportResult,
} from './support/index.js';
export {
  type AsOfContext,
  asOfContext,
  type BusinessType,
  basicStandardMet,
  compileTyping,
  type Reason,
  type ReportYearReading,
  reportYearOf,
  reportYearReading,
  TYPE_BY_CODE,
  TYPE_LABELS,
  TYPE_RANK,
  type TypingDecision,
  type TypingEngine,
} from './typing.js';
