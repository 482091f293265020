/**
 * A bank's tags are read from columns the database derives from each decision's reasons
 * (lib/store migration 13), so that a lookup does not read the reasons. On both stores, for every
 * decision of a typed area, they say what the decision core says of the same reasons.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { basicStandardMet } from '../matchers/index.js';
import { isolatedPipeline, MODES, typeAndStore } from './testing.js';

const open: Pipeline[] = [];
afterAll(async () => {
  for (const p of open) await p.close();
});

describe.each(MODES)('credit tags from the decision columns (%s)', (mode) => {
  it('match the decision core on every decision, with each flag both true and false somewhere', async () => {
    const p = await isolatedPipeline(mode);
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 600, seed: 6060 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    await typeAndStore(p, '120000', '2025-08-15');
    const seen = { basic: new Set<boolean>(), penalty: new Set<boolean>(), court: new Set<boolean>() };
    const decisions = await p.store.allDecisions();
    expect(decisions.length).toBe(600);
    for (const d of decisions) {
      const reasons = d.reasons as { criterion: string; met: boolean }[];
      const met = (id: string) => reasons.find((r) => r.criterion === id)?.met ?? false;
      const { tags } = await p.store.creditTags(d.creditCode);
      expect(tags).toEqual({
        decisionId: d.decisionId,
        type: d.type,
        label: d.label,
        ruleset: d.ruleset,
        asOf: d.asOf,
        mtyxBasicEligible: d.mtyxBasicEligible,
        basicStandardMet: basicStandardMet(reasons),
        noExcludingPenalty: met('mtyx.penalty'),
        operatorNotOnCourtList: met('mtyx.court'),
      });
      seen.basic.add(basicStandardMet(reasons));
      seen.penalty.add(met('mtyx.penalty'));
      seen.court.add(met('mtyx.court'));
    }
    expect([seen.basic.size, seen.penalty.size, seen.court.size]).toEqual([2, 2, 2]);
    expect((await p.store.creditTags('92120101MA0000000X')).tags).toBeNull();
    // Many in one statement (the gateway's batched lookups): each in the order asked, a code asked
    // twice answered twice, an unknown one as nothing; the same as asking one at a time.
    const asked = [decisions[5], decisions[0], decisions[5], undefined, decisions[599]].map(
      (d) => d?.creditCode ?? '92120101MA0000000X',
    );
    const one = await Promise.all(asked.map((c) => p.store.creditTags(c)));
    expect(one.map((s) => s.tags?.decisionId ?? null)).toEqual([
      decisions[5]?.decisionId,
      decisions[0]?.decisionId,
      decisions[5]?.decisionId,
      null,
      decisions[599]?.decisionId,
    ]);
    expect(await p.store.creditTagsOf(asked)).toEqual(one);
    expect(await p.store.creditTagsOf([])).toEqual([]);
    // The same for the whole decision and recognition (the gateway's other batched lookup), which
    // also answers each decision as the store's own single read does.
    const snapshots = await p.store.decisionsAndRecognitionsOf(asked);
    expect(snapshots).toEqual(await Promise.all(asked.map((c) => p.store.decisionAndRecognition(c))));
    expect(snapshots.map((x) => x.decision)).toEqual(await Promise.all(asked.map((c) => p.store.decision(c))));
    expect(snapshots[3]).toEqual({ decision: null, recognition: null });
  }, 180_000);
});
