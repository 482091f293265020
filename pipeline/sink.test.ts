/**
 * The sink renders each machine decision's reasons from the facts its event carries
 * (getihu.decision.typing v2), and each support event's measures and their reasons from the facts
 * and measure positions it carries (getihu.decision.support v2); the rendered reasons must give
 * the decision's own id, and the measures matched must be the ones named, or the event is set
 * aside. On the embedded pipeline: what the store holds is what `classify` and matching decide of
 * the same businesses, and an event altered on the way (a court record that was not there, a
 * measure left out) is a dead letter that changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/index.js';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Classifier, loadCatalogueBook, RuleBook, Support } from '../matchers/index.js';
import { listDeadLetters } from './deadLetters.js';
import { topicName } from './reconciler.js';
import { startSink } from './sink.js';
import { isolatedPipeline, typeAndStore } from './testing.js';

const AS_OF = '2025-08-15';
const open: Pipeline[] = [];
afterAll(async () => {
  for (const p of open) await p.close();
});

describe('the sink renders reasons and measures from an event’s facts', () => {
  it('stores what classify and matching decide, and sets aside an event whose facts do not give what it names', async () => {
    const p = await isolatedPipeline('embedded');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 200, seed: 3131 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    await typeAndStore(p, '120000', AS_OF);
    const classifier = new Classifier({ asOf: parseIsoDate(AS_OF), ruleBook: RuleBook.load() });
    const match = new Support(loadCatalogueBook(), parseIsoDate(AS_OF));
    for (const b of businesses) {
      const { decision: want, facts } = classifier.decideRecord(b);
      const got = await p.store.decision(want.creditCode);
      // As the store keeps them (jsonb orders an object's keys its own way).
      expect(got?.reasons, want.creditCode).toEqual(JSON.parse(JSON.stringify(want.reasons)));
      expect(got?.type).toBe(want.type);
      // The measures owed, with the reasons each is owed for, as matching gives them.
      const owed = match.supportFor(want, facts, null);
      const row = await p.store.support.of(want.creditCode);
      expect([row?.catalogue, row?.measures, row?.ifRecognised], want.creditCode).toEqual(
        JSON.parse(JSON.stringify([owed.catalogue, owed.measures, owed.ifRecognised])),
      );
    }

    // The event of one stored decision (of a business owed two measures or more), sent again with
    // the operator put on the court list.
    let code = '';
    for (const b of businesses)
      if (code === '' && ((await p.store.support.of(b.creditCode as string))?.measures.length ?? 0) > 1)
        code = b.creditCode as string;
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
    let dead = (await listDeadLetters(p.ctx)).filter((d) => d.consumer === 'sink' && d.sourceKey === code);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reasonCode).toBe('INVALID_INPUT');
    expect(dead[0]?.reason).toMatch(/give other reasons than it was made with/);

    // Its support event, sent again naming one measure fewer than its facts match.
    const supportTopic = topicName(p.ctx, 'support');
    let supportEvent: Record<string, unknown> | undefined;
    for await (const batch of p.ctx.bus.readSnapshot(supportTopic))
      for (const r of batch)
        if (r.key === code && r.value !== null) supportEvent = await p.ctx.codec.decode(supportTopic, r.value);
    const owedBefore = await p.store.support.of(code);
    const named = supportEvent?.measures as number[];
    expect(named.length).toBeGreaterThan(1);
    await p.ctx.bus.send(supportTopic, [
      { key: code, value: p.ctx.codec.encode(supportTopic, { ...supportEvent, measures: named.slice(1) }) },
    ]);
    const again = await startSink(p.ctx, p.store);
    await again.caughtUp();
    await again.stop();
    expect(await p.store.support.of(code)).toEqual(owedBefore);
    dead = (await listDeadLetters(p.ctx)).filter((d) => d.consumer === 'sink' && d.sourceTopic === supportTopic);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).toMatch(/match other measures than it names/);
  });
});
