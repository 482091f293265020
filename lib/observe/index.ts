/** Observability: the one logger and the one metrics registry. */
export { log, logger } from './log.js';
export { deadLetters, dependencyUp, metrics, outages } from './metrics.js';
