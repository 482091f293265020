/**
 * The recognition ledger across years, and the date rules every module shares. Clauses:
 * 国市监注发〔2024〕10号 附件 二(四)3 (5%; one per operator per district), 二(六) (validity,
 * revocation's 5-year bar); 津市场监管政务〔2024〕9号 附件2 二(二)4(3) (新兴 C), 三 (the city's quota).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, parseIsoDate as d, formatIsoDate } from '../../lib/dates.js';
import { RuleBook } from '../ruleSet.js';
import { business, passedReview, withSection } from '../testing/fixtures.js';
import { type LedgerEvent, RecognitionLedger } from './ledger.js';
import { badgeChangeOn, mayApply, type RecognitionEvent } from './lifecycle.js';
import { runRecognitionRound } from './round.js';

const book = RuleBook.load();
type Rec = Record<string, unknown>;
const growth = (division: string, over: Rec = {}) =>
  withSection(business(division, over), 'socialInsurance', { insuredHeadcount: 2 });
const factsFor = (b: Rec, year: number): Rec => withSection(b, 'annualReport', { year: year - 1 });
const applying = (b: Rec, year: number, submittedOn = `${year}-09-01`, review: Rec = {}, honours: Rec = {}): Rec => ({
  ...b,
  honours: { certifications: [{ kind: 'productQuality' }], ...honours },
  application: { year, route: 'application', category: null, submittedOn, review },
  reviewSteps: passedReview(year, submittedOn),
});

describe('case 6: the round and mayApply agree on the last day of the 5-year bar', () => {
  const rs = book.byRef('tianjin-2024');
  // Revoked on 2021-11-01; 民法典 第二百零一、二百零二条: the bar ends on 2026-11-01, inclusive.
  const b = growth('120101');
  const existing = [
    {
      creditCode: b.creditCode as string,
      operatorId: null,
      district: '120101',
      category: 'quality' as const,
      recognisedOn: '2020-11-30',
      validUntil: '2023-11-30',
      revokedOn: '2021-11-01',
    },
  ];
  const events: RecognitionEvent[] = [
    { kind: 'recognised', on: d('2020-11-30'), category: 'quality', type: 'growth', route: 'application' },
    { kind: 'revoked', on: d('2021-11-01'), reason: 'fraud' },
  ];
  const pop = Array.from({ length: 40 }, () => growth('120102'));
  const roundOn = (submittedOn: string) =>
    runRecognitionRound({
      ruleBook: book,
      asOf: d('2026-08-15'),
      area: '120000',
      records: [applying(factsFor(b, 2026), 2026, submittedOn), ...pop.map((x) => factsFor(x, 2026))],
      existing,
    }).candidates.find((c) => c.creditCode === b.creditCode);

  it.each([
    ['2026-11-01', false],
    ['2026-11-02', true],
  ])('an application on %s: accepted %s', (on, accepted) => {
    expect(mayApply(events, d(on), rs)).toBe(accepted);
    const c = roundOn(on);
    expect(c?.reasons.find((r) => r.criterion === 'mtyx.reapplyBar')?.met).toBe(accepted);
  });
});

describe('case 7: 新兴 C needs 美誉度高 and 粉丝量大 and 经营状况良好', () => {
  const pop = Array.from({ length: 40 }, () => growth('120102'));
  const emerging = (review: Rec, followers: number) => {
    const b = applying(growth('120101'), 2025, '2025-09-01', review, { certifications: [], platformFollowers: followers });
    const c = runRecognitionRound({ ruleBook: book, asOf: d('2025-08-15'), area: '120000', records: [b, ...pop] }).candidates[0];
    return c?.reasons.find((r) => r.criterion === 'emerging.platformAudience')?.met;
  };
  const threshold = book.byRef('tianjin-2024').thresholds.emergingPlatformFollowers as number;

  it('followers alone do not meet it, nor any two of the three', () => {
    expect(emerging({}, threshold * 10)).toBe(false);
    expect(emerging({ platformReputation: true }, threshold)).toBe(false);
    expect(emerging({ operatingWell: true }, threshold)).toBe(false);
    expect(emerging({ platformReputation: true, operatingWell: true }, threshold - 1)).toBe(false);
  });

  it('all three meet it', () => {
    expect(emerging({ platformReputation: true, operatingWell: true }, threshold)).toBe(true);
  });
});

describe('the ledger', () => {
  const rec = (code: string, on: string, until: string): LedgerEvent => ({
    kind: 'recognised',
    creditCode: code,
    operatorId: null,
    district: '110109',
    category: 'quality',
    route: 'application',
    sourceExemption: null,
    type: 'growth',
    on: d(on),
    validUntil: d(until),
    roundId: 'r',
    explanation: '',
    figures: null,
  });
  const end = (code: string, status: 'revoked' | 'cancelled' | 'expired', on: string): LedgerEvent => ({
    kind: 'ended',
    creditCode: code,
    status,
    on: d(on),
    reason: status,
  });

  it('applies a change to the recognition it falls within, whatever order the events come in', () => {
    const events = [
      end('A', 'cancelled', '2026-09-01'),
      rec('A', '2028-11-30', '2031-11-30'),
      rec('A', '2025-11-30', '2028-11-30'),
    ];
    for (const order of [events, [...events].reverse()]) {
      const l = RecognitionLedger.from(order);
      const [first, second] = l.of('A');
      expect(first?.ended?.status).toBe('cancelled');
      expect(second?.ended).toBeNull();
      expect(l.activeOn(d('2027-01-01'))).toEqual([]);
      expect(l.activeOn(d('2029-01-01')).map((e) => formatIsoDate(e.recognition.on))).toEqual(['2028-11-30']);
    }
  });

  it('a replayed round is one recognition, and a second end changes nothing', () => {
    const l = RecognitionLedger.from([
      rec('B', '2025-11-30', '2028-11-30'),
      rec('B', '2025-11-30', '2028-11-30'),
      end('B', 'revoked', '2026-03-01'),
      end('B', 'expired', '2028-12-01'),
    ]);
    expect(l.of('B')).toHaveLength(1);
    expect(l.existing()).toEqual([expect.objectContaining({ revokedOn: '2026-03-01', cancelledOn: null })]);
  });
});

describe('property: sweeps, rounds and revocations year after year', () => {
  it('never recognise past a unit’s quota, never give one operator two in a district, never recognise a barred business', () => {
    // Every business is growth by construction (2 insured, established and tax-registered in
    // 2015, each year's report filed) unless drawn to fall to survival that year (nobody
    // insured), so each unit's limit is known by counting: ⌊5% × growth⌋ of the city (Tianjin)
    // or the district (Mentougou). Each year: the sweep of 1 September cancels what fell, the
    // round decides on 30 November, revocations follow on 1 March.
    const population = [
      ...Array.from({ length: 40 }, (_, i) => growth('120101', { operatorId: `tj-${i % 12}` })),
      ...Array.from({ length: 40 }, (_, i) => growth('120102', { operatorId: `tj-${i % 12}` })),
      ...Array.from({ length: 60 }, (_, i) => growth('110109', { operatorId: `bj-${i % 15}` })),
    ];
    const unitOf = (district: string) => (district.startsWith('12') ? '120000' : district);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.boolean(), { minLength: population.length, maxLength: population.length }), {
          minLength: 4,
          maxLength: 4,
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.uniqueArray(fc.nat(population.length - 1), { maxLength: 25 }), { minLength: 4, maxLength: 4 }),
        fc.constantFrom<[string, string][]>(
          [
            ['120101', '120102'],
            ['110109', '120000'],
          ],
          [
            ['120102', '110109'],
            ['120101', '120101'],
          ],
        ),
        (applies, revokeShare, falls, areaPairs) => {
          const events: LedgerEvent[] = [];
          const revoked: { code: string; on: number }[] = [];
          for (let y = 0; y < 4; y++) {
            const year = 2025 + y;
            const fallen = new Set((falls[y] ?? []).map((i) => population[i]?.creditCode as string));
            const records = population.map((b, i) => {
              const facts = factsFor(
                fallen.has(b.creditCode as string) ? withSection(b, 'socialInsurance', { insuredHeadcount: 0 }) : b,
                year,
              );
              return applies[y]?.[i] ? applying(facts, year) : facts;
            });
            const growthIn = new Map<string, number>();
            for (const b of population)
              if (!fallen.has(b.creditCode as string)) {
                const u = unitOf((b.creditCode as string).slice(2, 8));
                growthIn.set(u, (growthIn.get(u) ?? 0) + 1);
              }
            const limitOf = (unit: string) => Math.floor(((growthIn.get(unit) ?? 0) * 5) / 100);
            // The yearly sweep: a recognition whose business fell to survival is cancelled (the
            // application route's re-check asks for growth or development).
            const sweepOn = d(`${year}-09-01`);
            for (const e of RecognitionLedger.from(events).activeOn(sweepOn)) {
              const change = badgeChangeOn(
                { validFrom: formatIsoDate(e.recognition.on), validUntil: formatIsoDate(e.validUntil), sourceExemption: null },
                {
                  asOf: `${year}-08-15`,
                  typingBasicMet: true,
                  mtyxBasicMet: !fallen.has(e.recognition.creditCode),
                  exclusionsClear: true,
                  type: fallen.has(e.recognition.creditCode) ? 'survival' : 'growth',
                },
                sweepOn,
                book.byRef(e.recognition.district.startsWith('12') ? 'tianjin-2024' : 'beijing-2024'),
              );
              if (change !== null)
                events.push({
                  kind: 'ended',
                  creditCode: e.recognition.creditCode,
                  status: change.status,
                  on: sweepOn,
                  reason: change.reason,
                });
            }
            for (const area of areaPairs[y % 2] ?? []) {
              const before = new Map<string, number>();
              for (const e of RecognitionLedger.from(events).activeOn(d(`${year}-11-30`))) {
                const u = unitOf(e.recognition.district);
                before.set(u, (before.get(u) ?? 0) + 1);
              }
              const res = runRecognitionRound({
                ruleBook: book,
                asOf: d(`${year}-08-15`),
                area,
                records,
                existing: RecognitionLedger.from(events).existing(),
              });
              for (const c of res.candidates.filter((x) => x.recognised)) {
                events.push({
                  kind: 'recognised',
                  creditCode: c.creditCode,
                  operatorId: c.operatorId,
                  district: c.district,
                  category: c.category as 'quality',
                  route: c.route,
                  sourceExemption: c.sourceExemption,
                  type: c.type,
                  on: d(c.validFrom as string),
                  validUntil: d(c.validUntil as string),
                  roundId: `${year}`,
                  explanation: '',
                  figures: c.figures,
                });
                // Nobody recognised within 5 years of a revocation (hand count: the same day 5 years on, inclusive).
                for (const r of revoked.filter((x) => x.code === c.creditCode))
                  expect(
                    d(c.validFrom as string) > addYears(r.on, 5),
                    `${c.creditCode} barred since ${formatIsoDate(r.on)}`,
                  ).toBe(true);
              }
              const on = d(res.decidedOn);
              const active = RecognitionLedger.from(events).activeOn(on);
              const perUnit = new Map<string, number>();
              const perOperator = new Set<string>();
              for (const e of active) {
                const u = unitOf(e.recognition.district);
                perUnit.set(u, (perUnit.get(u) ?? 0) + 1);
                // A unit may already hold more than a shrunk limit (nothing is cancelled for that);
                // a round never adds past it.
                expect(perUnit.get(u) as number).toBeLessThanOrEqual(Math.max(limitOf(u), before.get(u) ?? 0));
                const key = `${e.recognition.operatorId}|${e.recognition.district}`;
                expect(perOperator.has(key), key).toBe(false);
                perOperator.add(key);
              }
            }
            // Revocations in the year after the round: a share of what is active on 1 March.
            const march = d(`${year + 1}-03-01`);
            const active = RecognitionLedger.from(events).activeOn(march);
            for (const e of active.slice(0, Math.floor(active.length * (revokeShare[y] ?? 0)))) {
              events.push({ kind: 'ended', creditCode: e.recognition.creditCode, status: 'revoked', on: march, reason: 'fraud' });
              revoked.push({ code: e.recognition.creditCode, on: march });
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
