/**
 * The topics of the system: one Avro subject each (`<topic>-value`), keyed as named here.
 * Fact topics are compacted, so the latest fact per key survives; decision, dead-letter and
 * audit topics keep their history.
 */

/** What a topic carries. */
export type TopicKind = 'fact' | 'decision' | 'deadletter' | 'audit';

/** One topic's definition. */
export interface TopicSpec {
  readonly name: string;
  readonly kind: TopicKind;
  /** The field of the value the key is taken from. */
  readonly keyField: string;
  readonly compacted: boolean;
}

const fact = (name: string, keyField = 'creditCode'): TopicSpec => ({
  name: `getihu.fact.${name}`,
  kind: 'fact',
  keyField,
  compacted: true,
});

/** Every topic, in a stable order. */
export const TOPICS = Object.freeze({
  registration: fact('registration'),
  annualReport: fact('annual-report'),
  marketCredit: fact('market-credit'),
  tax: fact('tax'),
  socialInsurance: fact('social-insurance'),
  ip: fact('ip'),
  court: fact('court', 'operatorId'),
  honours: fact('honours'),
  application: fact('application'),
  mtyxReport: fact('mtyx-report'),
  reviewStep: fact('review-step'),
  typing: { name: 'getihu.decision.typing', kind: 'decision', keyField: 'creditCode', compacted: false },
  run: { name: 'getihu.decision.run', kind: 'decision', keyField: 'runId', compacted: false },
  mtyx: { name: 'getihu.decision.mtyx', kind: 'decision', keyField: 'creditCode', compacted: false },
  badge: { name: 'getihu.decision.badge', kind: 'decision', keyField: 'creditCode', compacted: false },
  support: { name: 'getihu.decision.support', kind: 'decision', keyField: 'creditCode', compacted: false },
  transfer: { name: 'getihu.decision.transfer', kind: 'decision', keyField: 'creditCode', compacted: false },
  deadLetter: { name: 'getihu.deadletter', kind: 'deadletter', keyField: 'feed', compacted: false },
  audit: { name: 'getihu.audit', kind: 'audit', keyField: 'subject', compacted: false },
  checkpoint: { name: 'getihu.audit.checkpoint', kind: 'audit', keyField: 'issuer', compacted: false },
} satisfies Record<string, TopicSpec>);

/** A topic's short name in {@link TOPICS}. */
export type TopicId = keyof typeof TOPICS;

/** All topic specs. */
export const ALL_TOPICS: readonly TopicSpec[] = Object.freeze(Object.values(TOPICS));

/** The fact topics, in a stable order. */
export const FACT_TOPICS: readonly TopicSpec[] = Object.freeze(ALL_TOPICS.filter((t) => t.kind === 'fact'));

/** The spec of a topic by full name. */
export function topicByName(name: string): TopicSpec | undefined {
  return ALL_TOPICS.find((t) => t.name === name);
}

/** Topic names with a prefix, so tests and tenants can run side by side on one broker. */
export function prefixed(prefix: string, spec: TopicSpec): string {
  return prefix === '' ? spec.name : `${prefix}.${spec.name}`;
}
