/**
 * pipeline/ — the pipeline's jobs and consumers over the bus — a typing run over a snapshot of
 * the fact topics and continuous mode, the decision pool, the sink into the serving store, 名特优新
 * rounds, badge sweeps and revocations over the recognition ledger, dead letters, regulators' jobs.
 */
export { refuseRecognition, revokeRecognition, sweepBadges } from './badges.js';
export { type ContinuousReconciler, type PartitionRebuild, startContinuous } from './continuous.js';
export { type DeadLetter, listDeadLetters, replayDeadLetters } from './deadLetters.js';
export { decisionIdOf } from './decide.js';
export { adjustedDecision } from './disputes.js';
export { JobRunner, type JobSpec } from './jobs.js';
export {
  DecisionPool,
  ensurePipelineTopics,
  type PipelineContext,
  runTyping,
  topicName,
  waitCaughtUp,
} from './reconciler.js';
export { runRecognition } from './round.js';
export { prefixedGroup, startSink } from './sink.js';
export { claimStateDir, type StateSlot } from './stateDir.js';
export { type CarryResult, carryTransfers } from './transfers.js';
