/**
 * 监测分析's 税收贡献 series (国市监注发〔2024〕10号 二(七) 监测分析): VAT and individual income tax
 * paid in the year the decisions read, by type, summed from each decision's tax evidence — a
 * worked example of three decisions in a district and one outside it.
 */
import { describe, expect, it } from 'vitest';
import { Store, type StoredDecision } from './store.js';

const decision = (creditCode: string, region: string, type: string, vat: number | null, iit: number | null): StoredDecision => ({
  creditCode,
  decisionId: `d-${creditCode}`,
  region,
  ruleset: 'tianjin-2024@1',
  asOf: '2025-08-15',
  type,
  label: type,
  mtyxBasicEligible: false,
  runId: 'run:test',
  reasons: [
    { criterion: 'basic.taxNonNormal', met: true, evidence: { source: 'tax', nonNormal: false }, clause: 'c' },
    ...(vat === null
      ? []
      : [
          {
            criterion: 'growth.taxPaid',
            met: true,
            evidence: { source: 'tax', vatPaidYuan: vat, iitPaidYuan: iit },
            clause: 'c',
          },
        ]),
  ],
  sources: [],
});

describe('the 税收贡献 series', () => {
  it('sums VAT and IIT by type, counts the businesses that paid any, and keeps to the area', async () => {
    const store = await Store.pglite();
    try {
      await store.applyDecisions([
        decision('92120101MA05T8WQ38', '120101', 'growth', 1200.5, 300),
        decision('92120101MA0000197T', '120101', 'growth', 0, 0),
        decision('92120101MA00002X9A', '120101', 'survival', null, null),
        decision('92120102MA05T8WQ39', '120102', 'growth', 999, 1),
      ]);
      expect(await store.monitoring.tax('120101')).toEqual([
        { type: 'growth', businesses: 2, paying: 1, vatYuan: 1200.5, iitYuan: 300 },
        { type: 'survival', businesses: 1, paying: 0, vatYuan: 0, iitYuan: 0 },
      ]);
    } finally {
      await store.close();
    }
  });
});
