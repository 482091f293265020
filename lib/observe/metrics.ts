/**
 * The process's metrics (prom-client): one registry, the counters and gauges every part shares,
 * defined here once so a name never means two things. The gateway serves them at `/metrics`.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The registry of this process. */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics, prefix: 'getihu_' });

/** Records a consumer set aside as dead letters, by consumer, topic and reason code. */
export const deadLetters = new Counter({
  name: 'getihu_dead_letters_total',
  help: 'records a consumer could not decode or apply, set aside on the dead-letter topic',
  labelNames: ['consumer', 'topic', 'reason'] as const,
  registers: [metrics],
});

/** Waits on a dependency that was down, by dependency (store, bus, registry). */
export const outages = new Counter({
  name: 'getihu_dependency_unavailable_total',
  help: 'times a call found a dependency unavailable and waited for it',
  labelNames: ['dependency'] as const,
  registers: [metrics],
});

/** Whether each dependency answers now (1) or not (0). */
export const dependencyUp = new Gauge({
  name: 'getihu_dependency_up',
  help: 'whether a dependency answered its last call',
  labelNames: ['dependency'] as const,
  registers: [metrics],
});
