/**
 * The sink renders each machine decision's reasons from the facts its event carries
 * (getihu.decision.typing v2) and keeps them for the regulators, the banks and the public; the
 * rendered reasons must give the decision's own id, or the event is set aside. On the embedded
 * pipeline: what the store holds is what `classify` decides of the same businesses, and an event
 * whose facts were altered on the way (a court record that was not there) is a dead letter that
 * changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/index.js';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Classifier, RuleBook } from '../matchers/index.js';
import { listDeadLetters } from './deadLetters.js';
import { topicName } from './reconciler.js';
import { startSink } from './sink.js';
import { isolatedPipeline, typeAndStore } from './testing.js';

const AS_OF = '2025-08-15';
const open: Pipeline[] = [];
afterAll(async () => {
  for (const p of open) await p.close();
});

describe('the sink renders reasons from an event’s facts', () => {
  it('stores what classify decides, and sets aside an event whose facts do not give its id', async () => {
    const p = await isolatedPipeline('embedded');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 200, seed: 3131 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    await typeAndStore(p, '120000', AS_OF);
    const classifier = new Classifier({ asOf: parseIsoDate(AS_OF), ruleBook: RuleBook.load() });
    for (const b of businesses) {
      const want = classifier.classifyRecord(b);
      const got = await p.store.decision(want.creditCode);
      // As the store keeps them (jsonb orders an object's keys its own way).
      expect(got?.reasons, want.creditCode).toEqual(JSON.parse(JSON.stringify(want.reasons)));
      expect(got?.type).toBe(want.type);
    }

    // The event of one stored decision, sent again with the operator put on the court list.
    const code = businesses[0]?.creditCode as string;
    const before = await p.store.decision(code);
    const typing = topicName(p.ctx, 'typing');
    let original: Record<string, unknown> | undefined;
    for await (const batch of p.ctx.bus.readSnapshot(typing))
      for (const r of batch) if (r.key === code && r.value !== null) original = await p.ctx.codec.decode(typing, r.value);
    expect(original?.decisionId).toBe(before?.decisionId);
    const facts = original?.facts as Record<string, unknown>;
    const altered = { ...original, facts: { ...facts, operatorDishonest: !facts.operatorDishonest } };
    await p.ctx.bus.send(typing, [{ key: code, value: p.ctx.codec.encode(typing, altered) }]);
    const sink = await startSink(p.ctx, p.store);
    await sink.caughtUp();
    await sink.stop();
    expect(await p.store.decision(code)).toEqual(before);
    const dead = (await listDeadLetters(p.ctx)).filter((d) => d.consumer === 'sink' && d.sourceKey === code);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reasonCode).toBe('INVALID_INPUT');
    expect(dead[0]?.reason).toMatch(/give other reasons than it was made with/);
  });
});
