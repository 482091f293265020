/** Observability: the one logger and the one metrics registry. */
export { log, logger } from './log.js';
export {
  auditBatchEntries,
  auditBatchSeconds,
  consumerLag,
  countDecisionsSent,
  deadLetters,
  decisionsEmitted,
  dependencyUp,
  type LagReader,
  metrics,
  outages,
  watchConsumerLag,
} from './metrics.js';
