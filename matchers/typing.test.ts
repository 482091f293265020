/**
 * Typing criteria per region, from the policy texts (docs/rules.md names each):
 *   Tianjin 津市场监管政务〔2024〕9号 附件1; Beijing's district plans (兴市监发〔2024〕53号, 门头沟区方案（征求意见稿）,
 *   石景山区方案（征求意见稿）) 附件 一(三); national 国市监注发〔2024〕10号 附件 一(四).
 * As-of 2025-08-15 unless a test says otherwise: "last year" is 2024.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { dayNumber, parseIsoDate } from '../lib/dates.js';
import { Classifier } from './classifier.js';
import { normaliseFacts } from './facts.js';
import { RuleBook } from './ruleSet.js';
import { business, withSection } from './testing/fixtures.js';
import { asOfContext, compileTyping, TYPE_RANK, type TypingDecision } from './typing.js';

const TJ = '120101';
const BJ = '110105';
const HB = '130102';
const GD = '440106';
let book: RuleBook;
beforeAll(() => {
  book = RuleBook.load();
});

function classify(record: Record<string, unknown>, asOf = '2025-08-15', ruleset?: string): TypingDecision {
  const c = new Classifier({ asOf: parseIsoDate(asOf), ruleBook: book, ...(ruleset ? { ruleSet: book.byRef(ruleset) } : {}) });
  return c.classifyRecord(record);
}
const typeOf = (r: Record<string, unknown>, asOf?: string) => classify(r, asOf).type;
const reason = (d: TypingDecision, id: string) => d.reasons.find((r) => r.criterion === id);

describe('rule book', () => {
  it('loads the four regions, each citing its source file', () => {
    const ids = book.ruleSets.map((r) => r.ref).sort();
    expect(ids).toEqual(['beijing-2024@1', 'hebei-2024@1', 'national-2024@1', 'tianjin-2024@1']);
    for (const rs of book.ruleSets) expect(rs.sources.length).toBeGreaterThan(0);
  });
  it('chooses the rule set from the division code', () => {
    expect(classify(business(TJ)).ruleset).toBe('tianjin-2024@1');
    expect(classify(business(BJ)).ruleset).toBe('beijing-2024@1');
    expect(classify(business(HB)).ruleset).toBe('hebei-2024@1');
    expect(classify(business(GD)).ruleset).toBe('national-2024@1');
  });
  it('records Hebei on the Tianjin criteria as an assumption, not a unified standard (津市场监管政务〔2024〕9号 二(六) 推动…实行统一)', () => {
    expect(book.byRef('hebei-2024').assumptions.join(' ')).toMatch(/ASSUMPTION.*Tianjin/);
  });
  it('has no rule set in force before 2024', () => {
    const c = new Classifier({ asOf: parseIsoDate('2023-08-15'), ruleBook: book });
    expect(c.classifyLine(JSON.stringify(business(TJ)), 1)).toMatchObject({
      ok: false,
      error: { error: { code: 'NO_RULESET_IN_FORCE' } },
    });
  });
});

describe('basic standard (国市监注发〔2024〕10号 附件 一(四)1; 津市场监管政务〔2024〕9号 附件1 二(一); 兴市监发〔2024〕53号 附件 一(三)1)', () => {
  it.each([TJ, BJ, HB, GD])('a healthy old business passes it in %s', (d) => {
    expect(typeOf(business(d))).toBe('survival');
  });
  it.each(['revoked', 'cancelled', 'withdrawn'])('status %s is ineligible (登记在册状态)', (status) => {
    const d = classify(withSection(business(TJ), 'registration', { status }));
    expect(d.type).toBe('ineligible');
    expect(d.label).toBe('不符合分型条件');
    expect(reason(d, 'basic.registered')).toMatchObject({ met: false, evidence: { status } });
  });
  it('no registration record is ineligible', () => {
    expect(typeOf(business(TJ, { registration: undefined }))).toBe('ineligible');
  });
  it("last year's annual report must be filed", () => {
    expect(typeOf(withSection(business(TJ), 'annualReport', { filed: false }))).toBe('ineligible');
    expect(typeOf(business(TJ, { annualReport: undefined }))).toBe('ineligible');
    expect(typeOf(withSection(business(TJ), 'annualReport', { year: 2023 }))).toBe('ineligible');
  });
  it('a business established in the as-of year passes the report item automatically (当年新成立的自动判定符合)', () => {
    const r = business(TJ, {
      annualReport: undefined,
      registration: { status: 'active', establishedOn: '2025-01-01', seasonal: false },
    });
    expect(typeOf(r)).toBe('survival');
    const late = business(TJ, {
      annualReport: undefined,
      registration: { status: 'active', establishedOn: '2024-12-31', seasonal: false },
    });
    expect(typeOf(late)).toBe('ineligible');
  });
  it('abnormal operation, serious illegality and tax non-normal each exclude', () => {
    expect(typeOf(withSection(business(TJ), 'marketCredit', { abnormalOperation: true }))).toBe('ineligible');
    expect(typeOf(withSection(business(TJ), 'marketCredit', { seriousIllegal: true }))).toBe('ineligible');
    expect(typeOf(withSection(business(TJ), 'tax', { nonNormal: true }))).toBe('ineligible');
  });
  it('within the legal maximum suspension period (inclusive of its last day) is ineligible, unless seasonal', () => {
    const on = withSection(business(TJ), 'registration', { suspendedUntil: '2025-08-15' });
    expect(typeOf(on)).toBe('ineligible');
    expect(typeOf(withSection(business(TJ), 'registration', { suspendedUntil: '2025-08-14' }))).toBe('survival');
    expect(typeOf(withSection(on, 'registration', { seasonal: true }))).toBe('survival');
  });
  it('explains every basic item, each with its clause', () => {
    const d = classify(withSection(business(TJ), 'marketCredit', { abnormalOperation: true }));
    const basic = d.reasons.filter((r) => r.criterion.startsWith('basic.'));
    expect(basic.map((r) => r.criterion)).toEqual([
      'basic.registered',
      'basic.annualReport',
      'basic.abnormalOperation',
      'basic.seriousIllegal',
      'basic.taxNonNormal',
      'basic.suspension',
    ]);
    expect(reason(d, 'basic.abnormalOperation')).toMatchObject({ met: false, clause: '津市场监管政务〔2024〕9号 附件1 二(一)1' });
  });
});

describe('a run before the report season closes (国市监注发〔2024〕10号 附件 一(三)1 "每年7月份…年度报告结束后", 其他时间…不定期分型判定; 一(四)1 上一年度已报送年度报告)', () => {
  // As of 2025-03-15 the 2024 reports are still being filed: the last year whose reports are
  // all in is 2023. The business of the fixtures filed its 2023 report and has no 2024 one yet.
  const filed2023 = (d: string) => withSection(business(d), 'annualReport', { year: 2023, filed: true });
  it.each([TJ, BJ, HB, GD])('as of 2025-03-15 a business that filed its 2023 report is typed in %s, not 不符合分型条件', (d) => {
    const r = classify(filed2023(d), '2025-03-15');
    expect(r.type).toBe('survival');
    expect(reason(r, 'basic.annualReport')).toMatchObject({
      met: true,
      evidence: { requiredYear: 2023, seasonOpenFor: 2024, reportYear: 2023, filed: true },
    });
  });
  it('the same facts as of 2025-08-15, after the season, lack the 2024 report and are 不符合分型条件', () => {
    const r = classify(filed2023(TJ), '2025-08-15');
    expect(r.type).toBe('ineligible');
    expect(reason(r, 'basic.annualReport')).toMatchObject({ met: false, evidence: { requiredYear: 2024, reportYear: 2023 } });
    expect(reason(r, 'basic.annualReport')?.evidence).not.toHaveProperty('seasonOpenFor');
  });
  it('the season is over from 1 July: 30 June still reads 2023, 1 July reads 2024', () => {
    expect(reason(classify(filed2023(TJ), '2025-06-30'), 'basic.annualReport')).toMatchObject({ met: true });
    expect(reason(classify(filed2023(TJ), '2025-07-01'), 'basic.annualReport')).toMatchObject({ met: false });
  });
  it('as of 2025-03-15 a 2023 report not filed is still missing', () => {
    const r = classify(withSection(business(TJ), 'annualReport', { year: 2023, filed: false }), '2025-03-15');
    expect(r.type).toBe('ineligible');
  });
  it('as of 2025-03-15 a business established in 2024 owes no report whose season has closed, and is new (当年新成立 → 生存型)', () => {
    const r = business(TJ, {
      annualReport: undefined,
      registration: { status: 'active', establishedOn: '2024-05-01', seasonal: false },
    });
    expect(classify(r, '2025-03-15').type).toBe('survival');
    // Established in 2023, it owed its 2023 report by 30 June 2024.
    const older = withSection(r, 'registration', { establishedOn: '2023-05-01' });
    expect(classify(older, '2025-03-15').type).toBe('ineligible');
  });
});

describe('Tianjin growth (津市场监管政务〔2024〕9号 附件1 二(二)2)', () => {
  const grown = (over: Record<string, unknown> = {}) => ({ ...business(TJ), ...over });
  it('(1) revenue at the growth threshold', () => {
    expect(typeOf(withSection(grown(), 'annualReport', { revenueYuan: 120_000 }))).toBe('growth');
    expect(typeOf(withSection(grown(), 'annualReport', { revenueYuan: 119_999.99 }))).toBe('survival');
  });
  it('(2) any VAT or individual income tax actually paid last year', () => {
    expect(typeOf(withSection(grown(), 'tax', { vatPaidYuan: 0.01 }))).toBe('growth');
    expect(typeOf(withSection(grown(), 'tax', { iitPaidYuan: 12 }))).toBe('growth');
  });
  it('(3) social insurance for 1–3 people', () => {
    for (const n of [1, 2, 3]) expect(typeOf(withSection(grown(), 'socialInsurance', { insuredHeadcount: n }))).toBe('growth');
  });
  it('needs 2 years (inclusive) since establishment', () => {
    const r = withSection(grown(), 'tax', { vatPaidYuan: 100, registeredOn: '2023-01-01' });
    expect(typeOf(withSection(r, 'registration', { establishedOn: '2023-08-15' }))).toBe('growth');
    expect(typeOf(withSection(r, 'registration', { establishedOn: '2023-08-16' }))).toBe('survival');
  });
  it('needs 2 years (inclusive) of tax registration — a Tianjin-only condition', () => {
    const r = withSection(grown(), 'tax', { vatPaidYuan: 100 });
    expect(typeOf(withSection(r, 'tax', { registeredOn: '2023-08-15' }))).toBe('growth');
    const young = withSection(r, 'tax', { registeredOn: '2023-08-16' });
    const d = classify(young);
    expect(d.type).toBe('survival');
    expect(reason(d, 'growth.taxRegistered')).toMatchObject({ met: false, clause: '津市场监管政务〔2024〕9号 附件1 二(二)2' });
    expect(typeOf(business(TJ, { tax: undefined, socialInsurance: { insuredHeadcount: 2 } }))).toBe('survival');
  });
  it('counts 2 years from 29 February to 28 February (民法典 第二百零三条)', () => {
    const r = business(TJ, {
      registration: { status: 'active', establishedOn: '2024-02-29', seasonal: false },
      // Before July 2026 the 2025 season is open: the decision reads the 2024 report (附件 一(三)1).
      annualReport: { year: 2024, filed: true, revenueYuan: 10 },
      tax: { registeredOn: '2024-02-29', vatPaidYuan: 100 },
    });
    expect(typeOf(r, '2026-02-28')).toBe('growth');
    expect(typeOf(r, '2026-02-27')).toBe('survival');
  });
});

describe('Tianjin development (津市场监管政务〔2024〕9号 附件1 二(二)3)', () => {
  it.each([
    ['(1) high revenue', 'annualReport', { revenueYuan: 1_200_000 }],
    ['(2) general taxpayer', 'tax', { generalTaxpayer: true }],
    ['(3) social insurance for 4 or more', 'socialInsurance', { insuredHeadcount: 4 }],
    ['(4) a trademark in use', 'ip', { trademarksInUse: 1 }],
    ['(5) a patent', 'ip', { patents: 1 }],
  ])('%s makes development', (_name, section, fields) => {
    expect(typeOf(withSection(business(TJ), section, fields))).toBe('development');
  });
  it('development wins over growth when both hold', () => {
    const r = withSection(withSection(business(TJ), 'tax', { vatPaidYuan: 10 }), 'ip', { patents: 2 });
    expect(typeOf(r)).toBe('development');
  });
  it('development also needs the age conditions', () => {
    const r = withSection(withSection(business(TJ), 'ip', { patents: 2 }), 'registration', { establishedOn: '2024-01-01' });
    expect(typeOf(r)).toBe('survival');
  });
});

describe('Beijing differences (兴市监发〔2024〕53号、门头沟区方案（征求意见稿）、石景山区方案（征求意见稿） 附件 一(三)2)', () => {
  it('a business established in the as-of year is survival automatically (一(三)2(1))', () => {
    const r = withSection(business(BJ, { annualReport: undefined }), 'registration', { establishedOn: '2025-03-01' });
    const d = classify(r);
    expect(d.type).toBe('survival');
    expect(reason(d, 'survival.newThisYear')).toMatchObject({ met: true });
  });
  it.each(['110105', '110109', '110107', '110115'])(
    'a decision in %s cites the standard as the text in force gives it, 兴市监发〔2024〕53号, never a draft',
    (d) => {
      const r = withSection(business(d), 'socialInsurance', { insuredHeadcount: 2 });
      const clauses = classify(r).reasons.map((x) => x.clause);
      expect(clauses).toContain('兴市监发〔2024〕53号 附件 一(三)1(1)');
      expect(clauses).toContain('兴市监发〔2024〕53号 附件 一(三)2(2)C');
      for (const c of clauses) expect(c).not.toMatch(/征求意见/);
    },
  );
  it('tax registration has no minimum duration', () => {
    const r = withSection(withSection(business(BJ), 'tax', { registeredOn: '2025-08-01' }), 'socialInsurance', {
      insuredHeadcount: 2,
    });
    expect(typeOf(r)).toBe('growth');
    expect(typeOf({ ...r, tax: undefined })).toBe('survival');
  });
  it('growth B needs a tax-paid amount, not any payment (一(三)2(2)B)', () => {
    expect(typeOf(withSection(business(BJ), 'tax', { vatPaidYuan: 500, iitPaidYuan: 499 }))).toBe('survival');
    expect(typeOf(withSection(business(BJ), 'tax', { vatPaidYuan: 500, iitPaidYuan: 500 }))).toBe('growth');
  });
  it('development B needs general taxpayer AND a tax-paid amount (一(三)2(3)B)', () => {
    expect(typeOf(withSection(business(BJ), 'tax', { generalTaxpayer: true }))).toBe('survival');
    expect(typeOf(withSection(business(BJ), 'tax', { generalTaxpayer: true, vatPaidYuan: 5_000 }))).toBe('growth');
    expect(typeOf(withSection(business(BJ), 'tax', { generalTaxpayer: true, vatPaidYuan: 10_000 }))).toBe('development');
  });
  it('development C–E as in Tianjin', () => {
    expect(typeOf(withSection(business(BJ), 'socialInsurance', { insuredHeadcount: 7 }))).toBe('development');
    expect(typeOf(withSection(business(BJ), 'ip', { trademarksInUse: 1 }))).toBe('development');
    expect(typeOf(withSection(business(BJ), 'ip', { patents: 1 }))).toBe('development');
  });
  it('the same facts type differently in Beijing and Tianjin where the texts differ', () => {
    const facts = { tax: { registeredOn: '2015-01-01', generalTaxpayer: true, vatPaidYuan: 0, iitPaidYuan: 0 } };
    expect(typeOf(business(TJ, facts))).toBe('development');
    expect(typeOf(business(BJ, facts))).toBe('survival');
  });
});

describe('名特优新 basic standard in the typing output (国市监注发〔2024〕10号 附件 二(四)1; 津市场监管政务〔2024〕9号 附件2 二(一))', () => {
  const growth = () => withSection(business(TJ), 'socialInsurance', { insuredHeadcount: 2 });
  it('growth and development are eligible; survival is not', () => {
    expect(classify(growth()).mtyxBasicEligible).toBe(true);
    expect(classify(withSection(business(TJ), 'ip', { patents: 1 })).mtyxBasicEligible).toBe(true);
    expect(classify(business(TJ)).mtyxBasicEligible).toBe(false);
  });
  it('an unrepaired fine-or-above penalty in the 2 years before the as-of date excludes (inclusive boundary)', () => {
    const pen = (decidedOn: string, fineOrAbove = true, repaired = false) =>
      classify(withSection(growth(), 'marketCredit', { penalties: [{ decidedOn, fineOrAbove, repaired }] })).mtyxBasicEligible;
    expect(pen('2023-08-15')).toBe(false);
    expect(pen('2023-08-14')).toBe(true);
    expect(pen('2025-08-15')).toBe(false);
    expect(pen('2025-08-16')).toBe(true);
    expect(pen('2024-05-01', false)).toBe(true);
    expect(pen('2024-05-01', true, true)).toBe(true);
  });
  it('the operator on the court dishonesty list excludes', () => {
    const d = classify(withSection(growth(), 'court', { operatorDishonest: true }));
    expect(d.mtyxBasicEligible).toBe(false);
    expect(d.type).toBe('growth');
    expect(reason(d, 'mtyx.court')).toMatchObject({ met: false, clause: '津市场监管政务〔2024〕9号 附件2 二(一)2' });
  });
});

describe('properties', () => {
  const arb = fc.record({
    division: fc.constantFrom(TJ, BJ, HB, GD, '110107', '120116'),
    status: fc.constantFrom('active', 'active', 'active', 'cancelled'),
    established: fc.integer({ min: dayNumber(1990, 1, 1), max: dayNumber(2025, 8, 15) }),
    taxLag: fc.option(fc.integer({ min: 0, max: 2000 })),
    filed: fc.boolean(),
    revenue: fc.integer({ min: 0, max: 3_000_000 }),
    vat: fc.constantFrom(0, 0, 100, 800, 20_000),
    iit: fc.constantFrom(0, 0, 300, 600),
    general: fc.boolean(),
    headcount: fc.integer({ min: 0, max: 9 }),
    trademarks: fc.constantFrom(0, 0, 0, 1),
    patents: fc.constantFrom(0, 0, 0, 2),
    abnormal: fc.constantFrom(false, false, false, true),
  });
  type ArbValue = typeof arb extends fc.Arbitrary<infer T> ? T : never;
  const toRecord = (a: ArbValue) => {
    const iso = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
    return business(a.division, {
      registration: { status: a.status, establishedOn: iso(a.established), seasonal: false },
      annualReport: { year: 2024, filed: a.filed, revenueYuan: a.revenue },
      marketCredit: { abnormalOperation: a.abnormal, seriousIllegal: false, penalties: [] },
      tax:
        a.taxLag === null
          ? undefined
          : {
              registeredOn: iso(Math.min(a.established + a.taxLag, dayNumber(2025, 8, 15))),
              generalTaxpayer: a.general,
              vatPaidYuan: a.vat,
              iitPaidYuan: a.iit,
            },
      socialInsurance: { insuredHeadcount: a.headcount },
      ip: { trademarksInUse: a.trademarks, patents: a.patents },
    });
  };

  it('same input, same output', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const r = toRecord(a);
        expect(JSON.stringify(classify(r))).toBe(JSON.stringify(classify(structuredClone(r))));
      }),
      { numRuns: 200 },
    );
  });

  // decide() takes its type from the fast path and throws when the explaining and the slow paths
  // disagree with it; so the test reads the type back from the reasons alone, as a regulator does.
  it('the type and the 名特优新 basic standard follow from the reasons the decision gives', () => {
    const ctx = asOfContext(parseIsoDate('2025-08-15'));
    fc.assert(
      fc.property(arb, (a) => {
        const f = normaliseFacts(toRecord(a));
        const rs = book.ruleSets.find(
          (x) =>
            x.region ===
            (f.divisionCode.startsWith('11')
              ? 'beijing'
              : f.divisionCode.startsWith('12')
                ? 'tianjin'
                : f.divisionCode.startsWith('13')
                  ? 'hebei'
                  : 'national'),
        );
        const e = compileTyping(rs!);
        const d = e.decide(f, ctx);
        const met = (id: string) => d.reasons.find((x) => x.criterion === id)?.met;
        const basic = d.reasons.filter((x) => x.criterion.startsWith('basic.'));
        expect(basic.length).toBeGreaterThan(0);
        const fromReasons = !basic.every((x) => x.met)
          ? 'ineligible'
          : met('survival.newThisYear') === true
            ? 'survival'
            : met('development.qualifies') === true
              ? 'development'
              : met('growth.qualifies') === true
                ? 'growth'
                : 'survival';
        expect(d.type).toBe(fromReasons);
        expect(d.mtyxBasicEligible).toBe(
          (fromReasons === 'growth' || fromReasons === 'development') &&
            met('mtyx.penalty') === true &&
            met('mtyx.court') === true,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('meeting one more growth or development criterion never lowers the type', () => {
    const boosts: [string, Record<string, unknown>][] = [
      ['annualReport', { revenueYuan: 5_000_000 }],
      ['tax', { vatPaidYuan: 50_000, iitPaidYuan: 50_000 }],
      ['socialInsurance', { insuredHeadcount: 2 }],
      ['socialInsurance', { insuredHeadcount: 12 }],
      ['ip', { trademarksInUse: 3 }],
      ['ip', { patents: 1 }],
    ];
    fc.assert(
      fc.property(arb, fc.constantFrom(...boosts), (a, [section, fields]) => {
        const r = toRecord(a);
        if (section === 'tax' && r.tax === undefined) return;
        // 1–3 and 4+ insured people are exclusive bands: moving 4+ down to 2 removes a development
        // criterion rather than adding one, so the 1–3 boost applies only to a business with nobody insured.
        if (section === 'socialInsurance' && fields.insuredHeadcount === 2 && a.headcount !== 0) return;
        const before = classify(r).type;
        const after = classify(withSection(r, section, fields)).type;
        expect(TYPE_RANK[after]).toBeGreaterThanOrEqual(TYPE_RANK[before]);
      }),
      { numRuns: 400 },
    );
  });
});
