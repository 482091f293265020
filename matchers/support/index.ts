/**
 * 精准帮扶: the measure catalogues (cited data per jurisdiction and year), matching a typed and
 * recognised business to the measures it is owed, and the 双随机、一公开 spot-check draw. Pure,
 * except `load.ts`, which reads the catalogue files.
 */
export {
  type Catalogue,
  CatalogueBook,
  CHANNELS,
  type Channel,
  MEASURE_TYPES,
  type Measure,
  type MeasurePredicate,
  parseCatalogue,
  type SpotCheckRule,
} from './catalogue.js';
export { loadCatalogueBook, loadCatalogues } from './load.js';
export {
  BENEFITS_FROM_CLAUSE,
  type Because,
  benefitsFrom,
  compileSupport,
  type MatchedMeasure,
  recognitionInEffect,
  type SupportInput,
  type SupportMatcher,
  type SupportRecognition,
  supportChange,
} from './match.js';
export { type Drawn, drawKey, drawSpotChecks, SPOT_CHECK_TYPES, type SpotCheckDraw, type SpotCheckSummary } from './spotCheck.js';
export { Support, type SupportResult } from './support.js';
