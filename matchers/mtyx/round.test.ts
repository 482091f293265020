/**
 * 名特优新 rounds. Clauses: 国市监注发〔2024〕10号 附件 二(四) (national basic standard, 5% quota, one per operator per
 * county), 津市场监管政务〔2024〕9号 附件2 二–三 (Tianjin), 兴市监发〔2024〕53号、门头沟区方案（征求意见稿）、石景山区方案（征求意见稿） 附件 三(三)–(四) (Beijing districts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../lib/dates.js';
import { generateBusinesses } from '../../lib/generate/generator.js';
import { RuleBook } from '../ruleSet.js';
import { business, passedReview, withSection } from '../testing/fixtures.js';
import { runRecognitionRound } from './round.js';

const book = RuleBook.load();
const asOf = parseIsoDate('2025-08-15');
type Rec = Record<string, unknown>;

const growth = (division: string, over: Rec = {}) =>
  withSection(business(division, over), 'socialInsurance', { insuredHeadcount: 2 });
const development = (division: string, over: Rec = {}) => withSection(business(division, over), 'ip', { patents: 1 });
const apply = (r: Rec, application: Rec = {}, honours: Rec = { certifications: [{ kind: 'productQuality' }] }): Rec => {
  const a = { year: 2025, route: 'application', category: null, submittedOn: '2025-09-01', review: {}, ...application };
  return { ...r, honours, application: a, reviewSteps: passedReview(2025, a.submittedOn as string) };
};
const round = (records: Rec[], area: string, existing = []) =>
  runRecognitionRound({ ruleBook: book, asOf, area, records, existing });
const only = (res: ReturnType<typeof round>, code: unknown) => res.candidates.find((c) => c.creditCode === code)!;

describe('basic standard of a round', () => {
  it('admits growth and development applicants; a survival applicant is not a source (津市场监管政务〔2024〕9号 附件2 二(一))', () => {
    const g = apply(growth('120101'));
    const s = apply(business('120101'));
    const res = round([g, s, ...Array.from({ length: 40 }, () => growth('120102'))], '120000');
    expect(only(res, g.creditCode).outcome).toBe('recognised');
    expect(only(res, s.creditCode)).toMatchObject({ outcome: 'ineligible', explanation: expect.stringContaining('mtyx.source') });
  });

  it('a department recommendation with the operator’s consent bypasses the type; without consent it fails', () => {
    const ok = apply(business('120101'), { route: 'recommendation', recommender: '区商务局', operatorConsent: true });
    const no = apply(business('120101'), { route: 'recommendation', recommender: '区商务局', operatorConsent: false });
    const res = round([ok, no, ...Array.from({ length: 40 }, () => growth('120102'))], '120000');
    expect(only(res, ok.creditCode).outcome).toBe('recognised');
    expect(only(res, no.creditCode)).toMatchObject({
      outcome: 'ineligible',
      explanation: expect.stringContaining('mtyx.consent'),
    });
  });

  it('a recommendation that names no category is not given one by the tie order: 经相关部门推荐 holds in every category alike (津市场监管政务〔2024〕9号 附件2 二(二); 三 以更适宜类型认定)', () => {
    const pop = Array.from({ length: 40 }, () => growth('120102'));
    const bare = apply(business('120101'), { route: 'recommendation', recommender: '区商务局', operatorConsent: true }, {});
    const named = apply(
      business('120101'),
      { route: 'recommendation', recommender: '区商务局', operatorConsent: true, category: 'distinctive' },
      {},
    );
    const res = round([bare, named, ...pop], '120000');
    expect(only(res, bare.creditCode)).toMatchObject({
      outcome: 'noCategory',
      explanation: expect.stringContaining('the recommending department names the category'),
    });
    expect(only(res, named.creditCode)).toMatchObject({ outcome: 'recognised', category: 'distinctive' });
  });

  it('a category chosen by the tie order says the order is provisional, and so does the rank', () => {
    // A product-quality certification (优质 取得…产品质量认证) and a green-food certificate (特色 持有…绿色食品…证书): one each.
    const tied = apply(growth('120101'), {}, { certifications: [{ kind: 'productQuality' }, { kind: 'greenFood' }] });
    const c = only(round([tied, ...Array.from({ length: 40 }, () => growth('120102'))], '120000'), tied.creditCode);
    expect(c).toMatchObject({ outcome: 'recognised', category: 'quality' });
    expect(c.explanation).toMatch(
      /quality, distinctive have the most criteria met \(1\): quality by the tie order .* which is provisional/,
    );
    expect(c.explanation).toMatch(/provisional order of the project/);
  });

  it('a special group may be relaxed, but only when the review accepts it', () => {
    const yes = apply(business('120101'), { specialGroup: 'veteran', review: { relaxedSourceAccepted: true } });
    const not = apply(business('120101'), { specialGroup: 'veteran', review: {} });
    const res = round([yes, not, ...Array.from({ length: 40 }, () => growth('120102'))], '120000');
    expect(only(res, yes.creditCode).outcome).toBe('recognised');
    expect(only(res, not.creditCode).outcome).toBe('ineligible');
  });

  it('a recommendation cannot admit a business that fails the typing basic standard', () => {
    const r = apply(withSection(business('120101'), 'marketCredit', { abnormalOperation: true }), {
      route: 'recommendation',
      operatorConsent: true,
    });
    expect(only(round([r], '120000'), r.creditCode).outcome).toBe('ineligible');
  });

  it('excludes a fine in the 2 years before the application date, and a dishonest operator (二(一)1–2)', () => {
    const fined = apply(
      withSection(growth('120101'), 'marketCredit', {
        penalties: [{ decidedOn: '2023-09-01', fineOrAbove: true, repaired: false }],
      }),
    );
    const older = apply(
      withSection(growth('120101'), 'marketCredit', {
        penalties: [{ decidedOn: '2023-08-31', fineOrAbove: true, repaired: false }],
      }),
    );
    const court = apply(withSection(growth('120101'), 'court', { operatorDishonest: true }));
    const res = round([fined, older, court, ...Array.from({ length: 60 }, () => growth('120102'))], '120000');
    expect(only(res, fined.creditCode).outcome).toBe('ineligible');
    expect(only(res, older.creditCode).outcome).toBe('recognised');
    expect(only(res, court.creditCode).outcome).toBe('ineligible');
  });

  it('bars a business revoked within 5 years from applying (津市场监管政务〔2024〕9号 附件2 五)', () => {
    const r = apply(growth('120101'));
    const existing = [
      {
        creditCode: r.creditCode as string,
        operatorId: null,
        district: '120101',
        category: 'quality' as const,
        recognisedOn: '2021-11-30',
        validUntil: '2024-11-29',
        revokedOn: '2021-12-15',
      },
    ];
    const res = round([r, ...Array.from({ length: 40 }, () => growth('120102'))], '120000', existing as never);
    expect(only(res, r.creditCode)).toMatchObject({
      outcome: 'ineligible',
      explanation: expect.stringContaining('mtyx.reapplyBar'),
    });
  });
});

describe('categories', () => {
  it('Tianjin 优质 needs more than 30 years; the Beijing districts more than 20 (津市场监管政务〔2024〕9号 附件2 二(二)3(1); 兴市监发〔2024〕53号 附件 三(三)2(3)A)', () => {
    const old = (d: string) =>
      apply(growth(d, { registration: { status: 'active', establishedOn: '2000-01-01', seasonal: false } }), {}, {});
    const tj = old('120101');
    const bj = old('110109');
    const res1 = round([tj, ...Array.from({ length: 40 }, () => growth('120102'))], '120000');
    const res2 = round([bj, ...Array.from({ length: 40 }, () => growth('110109'))], '110109');
    expect(only(res1, tj.creditCode)).toMatchObject({ outcome: 'noCategory', category: null });
    expect(only(res2, bj.creditCode)).toMatchObject({ outcome: 'recognised', category: 'quality' });
  });

  it('"more than 20 years" is strict: exactly 20 years is not enough', () => {
    const exactly = apply(
      growth('110109', { registration: { status: 'active', establishedOn: '2005-08-15', seasonal: false } }),
      {},
      {},
    );
    const more = apply(
      growth('110109', { registration: { status: 'active', establishedOn: '2005-08-14', seasonal: false } }),
      { submittedOn: '2025-08-15' },
      {},
    );
    const res = round(
      [
        { ...exactly, application: { ...(exactly.application as Rec), submittedOn: '2025-08-15' } },
        more,
        ...Array.from({ length: 40 }, () => growth('110109')),
      ],
      '110109',
    );
    expect(only(res, exactly.creditCode).category).toBeNull();
    expect(only(res, more.creditCode).category).toBe('quality');
  });

  it('Shijingshan does not count a 非遗工坊 title; Mentougou does (石景山区方案（征求意见稿） vs 门头沟区方案（征求意见稿） 附件 三(三)2(3)B)', () => {
    const h = { heritageTitles: [{ kind: 'heritageWorkshop', level: 'district' }] };
    const sjs = apply(growth('110107'), {}, h);
    const mtg = apply(growth('110109'), {}, h);
    const fill = (d: string) => Array.from({ length: 40 }, () => growth(d));
    expect(only(round([sjs, ...fill('110107')], '110107'), sjs.creditCode).category).toBeNull();
    expect(only(round([mtg, ...fill('110109')], '110109'), mtg.creditCode).category).toBe('quality');
  });

  it('one category: the requested one when met, else the one with most criteria met', () => {
    const h = {
      certifications: [{ kind: 'greenFood' }, { kind: 'productQuality' }],
      starRatings: [{ kind: 'restaurant', level: 'city' }],
    };
    const asked = apply(growth('120101'), { category: 'quality' }, h);
    const free = apply(growth('120101'), {}, h);
    const res = round([asked, free, ...Array.from({ length: 60 }, () => growth('120102'))], '120000');
    expect(only(res, asked.creditCode).category).toBe('quality');
    expect(only(res, free.creditCode).category).toBe('distinctive');
  });

  it('judgement criteria count only when the review records them', () => {
    const r = apply(growth('120101'), { review: { brandInfluence: true } }, {});
    expect(only(round([r, ...Array.from({ length: 40 }, () => growth('120102'))], '120000'), r.creditCode).category).toBe(
      'wellKnown',
    );
  });
});

describe('quota and uniqueness', () => {
  it('recognises at most 5% of the growth + development count, best ranked first (Beijing: per district)', () => {
    const pop = Array.from({ length: 60 }, () => growth('110109'));
    const dev = apply(development('110109'));
    const apps = [...Array.from({ length: 5 }, () => apply(growth('110109'))), dev];
    const res = round([...pop, ...apps], '110109');
    const q = res.quota.find((u) => u.unit === '110109')!;
    expect(q.growthAndDevelopment).toBe(66);
    expect(q.limit).toBe(3);
    expect(res.counts.recognised).toBe(3);
    expect(res.counts.quotaExhausted).toBe(3);
    expect(only(res, dev.creditCode)).toMatchObject({ rank: 1, recognised: true });
  });

  it('Tianjin counts its quota city-wide', () => {
    const res = round(
      [
        ...Array.from({ length: 40 }, () => growth('120101')),
        ...Array.from({ length: 40 }, () => growth('120116')),
        apply(growth('120101')),
      ],
      '120101',
    );
    expect(res.quota).toEqual([expect.objectContaining({ unit: '120000', growthAndDevelopment: 81, limit: 4 })]);
  });

  it('recognitions still valid count against the quota', () => {
    const pop = Array.from({ length: 40 }, () => growth('110109'));
    const held = [0, 1].map((i) => ({
      creditCode: `held${i}`,
      operatorId: `x${i}`,
      district: '110109',
      category: 'quality',
      recognisedOn: '2023-11-30',
      validUntil: '2026-11-29',
    }));
    const res = round([...pop, apply(growth('110109'))], '110109', held as never);
    expect(res.quota[0]).toMatchObject({ limit: 2, heldBefore: 2, recognisedThisRound: 0 });
    expect(res.counts.quotaExhausted).toBe(1);
  });

  it('a ledger date that is not a calendar date is refused, naming it, even where another date already decides', () => {
    const held = {
      creditCode: 'held0',
      operatorId: 'x0',
      district: '110109',
      category: 'quality',
      recognisedOn: '2023-11-30',
      validUntil: '2026-11-29',
      // Revoked before the round: its cancellation day would never be needed, and is still read.
      revokedOn: '2024-03-01',
      cancelledOn: '2024-02-30',
    };
    expect(() => round([apply(growth('110109'))], '110109', [held] as never)).toThrow(
      "recognitions: '2024-02-30' is not a YYYY-MM-DD date",
    );
  });

  it('one recognised business per operator per district (国市监注发〔2024〕10号 附件 二(四)3)', () => {
    const a = apply(development('110109', { operatorId: 'same-person' }));
    const b = apply(growth('110109', { operatorId: 'same-person' }));
    const c = apply(growth('110108', { operatorId: 'same-person' }));
    const pop = [...Array.from({ length: 100 }, () => growth('110109')), ...Array.from({ length: 100 }, () => growth('110108'))];
    const res = round([...pop, a, b, c], '110000');
    expect(only(res, a.creditCode).outcome).toBe('recognised');
    expect(only(res, b.creditCode).outcome).toBe('operatorAlreadyRecognised');
    expect(only(res, c.creditCode).outcome).toBe('recognised');
  });

  it('property: on generated regions the quota is never exceeded and no operator holds two in a district', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('beijing', 'tianjin', 'hebei'), (seed, region) => {
        const records = [...generateBusinesses({ region, businesses: 1500, seed })];
        const area = region === 'beijing' ? '110000' : region === 'tianjin' ? '120000' : '130000';
        const res = runRecognitionRound({ ruleBook: book, asOf, area, records });
        for (const q of res.quota) expect(q.heldBefore + q.recognisedThisRound).toBeLessThanOrEqual(q.limit);
        const seen = new Set<string>();
        for (const c of res.candidates.filter((x) => x.recognised)) {
          const key = `${c.operatorId}|${c.district}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
          expect(c.category).not.toBeNull();
        }
        expect(JSON.stringify(runRecognitionRound({ ruleBook: book, asOf, area, records }))).toBe(JSON.stringify(res));
      }),
      { numRuns: 12 },
    );
  });
});

describe('each Beijing district’s own rules where its text differs', () => {
  const recommend = (division: string, recommender: string) =>
    apply(business(division), { route: 'recommendation', recommender, operatorConsent: true });
  const outcomeIn = (division: string, r: Rec) =>
    only(round([r, ...Array.from({ length: 40 }, () => growth(division))], division), r.creditCode);

  it('Mentougou admits district departments’ recommendations only; Daxing and Shijingshan city ones too (各区 三(二)2)', () => {
    // 门头沟 三(二)2: 区相关部门推荐认定的; 兴市监发〔2024〕53号 and 石景山 三(二)2: 市或区市场监管局组织同级相关部门进行推荐.
    expect(outcomeIn('110109', recommend('110109', '市商务局'))).toMatchObject({
      outcome: 'ineligible',
      explanation: expect.stringContaining('mtyx.recommender'),
    });
    expect(outcomeIn('110109', recommend('110109', '区商务局')).outcome).toBe('recognised');
    expect(outcomeIn('110115', recommend('110115', '市商务局')).outcome).toBe('recognised');
    expect(outcomeIn('110107', recommend('110107', '市文化和旅游局')).outcome).toBe('recognised');
    // A recommender whose level cannot be told is not accepted.
    expect(outcomeIn('110115', recommend('110115', '商务局')).explanation).toContain('mtyx.recommender');
  });

  it('no district decides before its category standards are public: Shijingshan by 30 September, Mentougou by 31 August', () => {
    const at = (division: string, decidedOn: string) => () =>
      runRecognitionRound({ ruleBook: book, asOf, area: division, records: [], decidedOn: parseIsoDate(decidedOn) });
    expect(at('110107', '2025-09-15')).toThrow(
      /decidedOn: 2025-09-15 is outside the 2025 round of 110107, which decides between 2025-09-30/,
    );
    expect(at('110109', '2025-09-15')).not.toThrow();
    expect(at('110109', '2025-08-30')).toThrow(/between 2025-08-31/);
  });
});
