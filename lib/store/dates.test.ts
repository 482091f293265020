/**
 * Dates read back from the store are the days written, whatever the process's time zone: a DATE
 * is read as its text by both drivers. Under TZ=Asia/Shanghai node-pg used to turn '2025-08-15'
 * into local midnight, and every `select *` path (history, recognitions, the sweep) read the day
 * before.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from './store.js';

const decision = {
  creditCode: '92120101MA05T8WQ38',
  decisionId: 'd-tz-1',
  region: '120101',
  ruleset: 'tianjin-2024',
  asOf: '2025-08-15',
  type: 'growth',
  label: '成长型',
  mtyxBasicEligible: true,
  runId: 'run:tz',
  reasons: [],
  sources: ['r1'],
};
const recognition = {
  creditCode: '92120101MA05T8WQ38',
  category: 'featured',
  validFrom: '2025-12-01',
  validUntil: '2028-11-30',
  status: 'active' as const,
  roundId: 'round:tz',
  reason: null,
};

const tz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Asia/Shanghai';
});
afterAll(() => {
  process.env.TZ = tz;
});

describe.each(inject('infra') === undefined ? (['pglite'] as const) : (['pglite', 'postgres'] as const))(
  'dates in the %s store under TZ=Asia/Shanghai',
  (kind) => {
    it('read back as the days written, on every path', async () => {
      expect(new Date(2025, 7, 15).getTimezoneOffset()).toBe(-480);
      const store =
        kind === 'pglite'
          ? await Store.pglite()
          : await Store.postgres(inject('infra').DATABASE_URL, `tz${Date.now().toString(36)}`);
      try {
        await store.applyDecisions([decision]);
        await store.upsertRecognitions([recognition]);
        expect((await store.decision(decision.creditCode))?.asOf).toBe('2025-08-15');
        expect((await store.history(decision.creditCode)).map((d) => d.asOf)).toEqual(['2025-08-15']);
        expect((await store.allDecisions()).map((d) => d.asOf)).toEqual(['2025-08-15']);
        const r = await store.recognition(recognition.creditCode);
        expect([r?.validFrom, r?.validUntil]).toEqual(['2025-12-01', '2028-11-30']);
      } finally {
        await store.close();
      }
    });
  },
);
