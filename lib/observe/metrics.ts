/**
 * The process's metrics (prom-client): one registry, the counters and gauges every part shares,
 * defined here once so a name never means two things. The gateway serves them at `/metrics`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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

/** Typing decisions sent on the decision topic, by mode (run, continuous) and type: its rate is decisions/s. */
export const decisionsEmitted = new Counter({
  name: 'getihu_decisions_total',
  help: 'typing decisions sent on the decision topic (continuous mode: those that changed)',
  labelNames: ['mode', 'type'] as const,
  registers: [metrics],
});

/**
 * Counts a batch's decisions sent, one increment per type: the counter hashes its labels on every
 * increment, so a run counting each of a million decisions hashed them a million times.
 */
export function countDecisionsSent(mode: 'run' | 'continuous', decisions: Iterable<{ readonly type: string }>): void {
  const byType = new Map<string, number>();
  for (const d of decisions) byType.set(d.type, (byType.get(d.type) ?? 0) + 1);
  for (const [type, n] of byType) decisionsEmitted.inc({ mode, type }, n);
}

/** How long the store took to commit each batch of audit entries, and how many it held. */
export const auditBatchSeconds = new Histogram({
  name: 'getihu_audit_batch_seconds',
  help: 'time from sending a batch of audit entries to the store to its commit',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metrics],
});
export const auditBatchEntries = new Histogram({
  name: 'getihu_audit_batch_entries',
  help: 'audit entries committed together in one batch',
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000],
  registers: [metrics],
});

/** What a consumer group has still to read, by topic: its end offsets less its committed ones. */
export type LagReader = () => Promise<readonly { readonly topic: string; readonly lag: number }[]>;
/** The groups watched, each with how many of this process's members read for it. */
const lagReaders = new Map<string, { read: LagReader; members: number }>();

/**
 * Reports `group`'s lag as `getihu_consumer_lag{group,topic}`, read when the metrics are scraped;
 * answers how to stop (when the member's subscription ends: the group is reported while any of
 * this process's members reads for it). A group whose lag cannot be read at that moment (the
 * broker away) is left out of that scrape rather than failing it.
 */
export function watchConsumerLag(group: string, read: LagReader): () => void {
  const w = lagReaders.get(group);
  lagReaders.set(group, { read, members: (w?.members ?? 0) + 1 });
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    const now = lagReaders.get(group);
    if (now === undefined) return;
    if (now.members <= 1) lagReaders.delete(group);
    else lagReaders.set(group, { ...now, members: now.members - 1 });
  };
}

export const consumerLag = new Gauge({
  name: 'getihu_consumer_lag',
  help: 'records a consumer group has not yet committed, by topic (end offset less committed offset)',
  labelNames: ['group', 'topic'] as const,
  registers: [metrics],
  async collect() {
    this.reset();
    for (const [group, { read }] of lagReaders) {
      try {
        for (const { topic, lag } of await read()) this.set({ group, topic }, lag);
      } catch {
        // Left out of this scrape: the dependency's own metrics say it is down.
      }
    }
  },
});
