/**
 * 精准帮扶 matching, held to the texts: a business of each type and each 名特优新 category gets
 * exactly the measures its jurisdiction's text lists for it. The expected lists below are read
 * from the texts, item by item (the clause is in each test's name); the measures a text lists
 * that the system cannot target (vehicles, the operator's group, homestay reviews, the line of
 * trade, enterprises already converted) are named where they are left out.
 */
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../lib/dates.js';
import { Classifier } from '../classifier.js';
import { RuleBook } from '../ruleSet.js';
import { business, withSection } from '../testing/fixtures.js';
import type { CatalogueBook } from './catalogue.js';
import { loadCatalogueBook, loadCatalogues } from './load.js';
import { type SupportRecognition, supportChange } from './match.js';
import { Support } from './support.js';

type Json = Record<string, unknown>;
const AS_OF = '2025-08-15';
const ruleBook = RuleBook.load();
const book: CatalogueBook = loadCatalogueBook();

const growth = (d: string, insured: number) =>
  business(d, {
    annualReport: { year: 2024, filed: true, revenueYuan: 300_000 },
    tax: { registeredOn: '2015-03-10', nonNormal: false, generalTaxpayer: false, vatPaidYuan: 3000, iitPaidYuan: 0 },
    socialInsurance: { insuredHeadcount: insured },
  });
const development = (d: string) =>
  business(d, {
    annualReport: { year: 2024, filed: true, revenueYuan: 5_000_000 },
    tax: { registeredOn: '2015-03-10', nonNormal: false, generalTaxpayer: true, vatPaidYuan: 300_000, iitPaidYuan: 50_000 },
    socialInsurance: { insuredHeadcount: 12 },
    ip: { trademarksInUse: 2, patents: 1 },
  });
/** Recognised on 30 November 2024: its support runs from 1 January 2025. */
const recognised = (category: SupportRecognition['category']): SupportRecognition => ({
  category,
  recognisedOn: parseIsoDate('2024-11-30'),
  validUntil: parseIsoDate('2027-11-29'),
  revokedOn: null,
});

/** Types a record with the shipped rule sets and matches it; returns the ids matched, and the result. */
function owed(record: Json, expectedType: string, recognition: SupportRecognition | null = null, asOf = AS_OF) {
  const day = parseIsoDate(asOf);
  const { decision, facts } = new Classifier({ asOf: day, ruleBook }).decideRecord(record);
  expect(decision.type, 'the test business has the type the test is about').toBe(expectedType);
  const result = new Support(book, day).supportFor(decision, facts, recognition);
  return { ids: result.measures.map((m) => m.id).sort(), result };
}

const sorted = (ids: string[]) => [...ids].sort();

/**
 * A Beijing district plan's main body, 二(三)6–7 (加强政策供给、优化发展环境), for every business: the
 * registration service, tax guidance, training information, the banks' use of the results,
 * flexible enforcement, integration into enterprises' chains and the service month; 参加社会保险
 * while nobody is insured through it, the unemployment-insurance rate cut once someone is.
 */
const mainBody = (p: string, insured: number, integration = true) => [
  `${p}.all.registration-service`,
  `${p}.all.tax-guidance`,
  `${p}.all.training-info`,
  insured === 0 ? `${p}.all.social-insurance-coverage` : `${p}.all.unemployment-insurance-rate`,
  `${p}.all.bank-credit`,
  `${p}.all.flexible-enforcement`,
  ...(integration ? [`${p}.all.integration`] : []),
  `${p}.all.service-month`,
];

describe('津市场监管政务〔2024〕9号 (Tianjin, 120101)', () => {
  const D = '120101';
  // 附件1 四 and 二(二): the existing policies and 免申即享 for the typed; 二(二)'s guidance (合法纳税、
  // 重视信用) and credit supervision for every business, 不符合分型条件 included.
  const common = [
    'tj.all.existing-policies',
    'tj.all.no-application',
    'tj.all.tax-credit-guidance',
    'tj.all.credit-supervision',
    'tj.all.entry-exit-services',
    'tj.all.lifecycle-services',
    'tj.all.digital-consumption',
  ];
  const growthIds = [
    ...common,
    'tj.growth.hiring',
    'tj.growth.hiring-association',
    'tj.growth.training-subsidy',
    'tj.growth.finance',
    'tj.growth.credit-platform',
    'tj.growth.credit-supervision',
  ];
  const developmentOwn = [
    'tj.development.compliance',
    'tj.development.to-enterprise',
    'tj.development.specialised',
    'tj.development.ip',
  ];

  it('survival gets 附件1 四 and 四(一)1–5 and 二(二) 免申即享; the truck tolls (四(一)2) and the key groups (四(一)4) with the condition no data shows', () => {
    const { ids, result } = owed(business(D), 'survival');
    expect(ids).toEqual(
      sorted([
        ...common,
        'tj.survival.registration',
        'tj.survival.tax-and-fees',
        'tj.survival.transport-fees',
        'tj.survival.start-up',
        'tj.survival.key-groups',
        'tj.survival.flexible-enforcement',
      ]),
    );
    const tolls = result.measures.find((m) => m.id === 'tj.survival.transport-fees');
    expect(tolls?.conditions).toEqual([expect.stringMatching(/^使用货车.*（货车和运输的数据不在任何一个数据源中/)]);
  });

  it('四(一)2: the 京津高速 and 天津港 toll discounts end on 2025-01-31 (政策终止时间为2025年1月31日)', () => {
    const tolls = (asOf: string) =>
      owed(withSection(business(D), 'annualReport', { year: 2023 }), 'survival', null, asOf).result.measures.find(
        (m) => m.id === 'tj.survival.port-and-jingjin-tolls',
      );
    expect(tolls('2025-01-31')).toMatchObject({ until: '2025-01-31' });
    expect(tolls('2025-02-01')).toBeUndefined();
  });

  it('a business 不符合分型条件 is owed what 二(二) gives every business: 准入、退出、转型服务, 咨询、指导 (合法纳税、重视信用), 分级分类信用监管', () => {
    const abnormal = withSection(business(D), 'marketCredit', { abnormalOperation: true });
    expect(owed(abnormal, 'ineligible').ids).toEqual(
      sorted(['tj.all.tax-credit-guidance', 'tj.all.credit-supervision', 'tj.all.entry-exit-services']),
    );
  });

  it('growth gets 附件1 四(二)1–4 (and 附件2 六 while not recognised); 四(二)2 推动依法参保 only while nobody is insured through it', () => {
    // Both meet the 名特优新 basic standard and hold no recognition: 附件2 六's last paragraph too.
    const notRecognised = [...growthIds, 'tj.not-recognised.clusters'];
    expect(owed(growth(D, 0), 'growth').ids).toEqual(sorted([...notRecognised, 'tj.growth.social-insurance']));
    expect(owed(growth(D, 2), 'growth').ids).toEqual(sorted(notRecognised));
  });

  it('development gets 附件1 四(三)1–3, and 附件2 六 (符合分类基础标准、未被认定) while not recognised', () => {
    const { ids, result } = owed(development(D), 'development');
    expect(ids).toEqual(sorted([...common, ...developmentOwn, 'tj.not-recognised.clusters']));
    const cluster = result.measures.find((m) => m.id === 'tj.not-recognised.clusters');
    expect(cluster?.because.map((b) => b.predicate)).toEqual(['type', 'mtyxBasicNotRecognised']);
  });

  const categories: [SupportRecognition['category'], string, string[]][] = [
    [
      'wellKnown',
      '附件2 六(一)1–2',
      ['tj.wellKnown.agri-brand', 'tj.wellKnown.specialised', 'tj.wellKnown.service-upgrade', 'tj.wellKnown.brand-protection'],
    ],
    [
      'distinctive',
      '附件2 六(二)1–3',
      ['tj.distinctive.one-stop', 'tj.distinctive.showcase', 'tj.distinctive.tourism', 'tj.distinctive.festivals'],
    ],
    [
      'quality',
      '附件2 六(三)1–4',
      ['tj.quality.training', 'tj.quality.heritage', 'tj.quality.tax-service', 'tj.quality.exchange', 'tj.quality.culture'],
    ],
    // 六(四)1 对转型为中小微企业的 and 六(四)2 转企后: enterprises, no longer in the register.
    ['emerging', '附件2 六(四)1–3', ['tj.emerging.ip', 'tj.emerging.live-commerce', 'tj.emerging.online-offline']],
  ];
  for (const [category, clause, own] of categories) {
    it(`a recognised ${category} growth business gets ${clause}, 附件2 六 (榜单、授信、行业主管部门政策支持、优先) and every growth and development measure (附件2 六)`, () => {
      const { ids, result } = owed(growth(D, 2), 'growth', recognised(category));
      expect(result.mtyx).toBe(category);
      expect(ids).toEqual(
        sorted([
          ...growthIds,
          ...developmentOwn,
          ...own,
          'tj.mtyx.list-and-badge',
          'tj.mtyx.credit',
          'tj.mtyx.industry-support',
          'tj.mtyx.priority',
        ]),
      );
      const dev = result.measures.find((m) => m.id === 'tj.development.ip');
      expect(dev?.because[0]).toMatchObject({ predicate: 'recognisedAlsoGets', clause: '津市场监管政务〔2024〕9号 附件2 六' });
    });
  }
});

describe('门头沟区方案（征求意见稿） (Mentougou, 110109)', () => {
  const D = '110109';
  it('survival gets 附件 二 and 二(一)1–4, 二(一)4 重点群体 with the condition no data shows', () => {
    expect(owed(business(D), 'survival').ids).toEqual(
      sorted([
        'mtg.all.existing-policies',
        ...mainBody('mtg', 0),
        'mtg.survival.market-access',
        'mtg.survival.tax-and-fees',
        'mtg.survival.cluster-address',
        'mtg.survival.inclusive-supervision',
        'mtg.survival.start-up',
        'mtg.survival.key-groups',
      ]),
    );
  });

  it('growth gets 附件 二(二)1–4; the “门头沟小院” interest subsidy (二(二)3) on the condition of the homestay review', () => {
    const expected = (insured: number) =>
      sorted([
        'mtg.all.existing-policies',
        ...mainBody('mtg', insured),
        'mtg.growth.hiring',
        'mtg.growth.social-insurance',
        'mtg.growth.finance',
        'mtg.growth.homestay-interest',
        'mtg.growth.credit-supervision',
      ]);
    expect(owed(growth(D, 0), 'growth').ids).toEqual(expected(0));
    expect(owed(growth(D, 2), 'growth').ids).toEqual(expected(2));
  });

  it('development gets 附件 二(三)1–4', () => {
    expect(owed(development(D), 'development').ids).toEqual(
      sorted([
        'mtg.all.existing-policies',
        ...mainBody('mtg', 12),
        'mtg.development.compliance',
        'mtg.development.to-enterprise',
        'mtg.development.ip',
        'mtg.development.party',
      ]),
    );
  });

  it('a recognised 优质 business keeps its own type’s measures beside 附件 四(三) (在享受分类培育措施的同时享受该个体工商户分型帮扶措施), and no other type’s', () => {
    const { ids } = owed(growth(D, 2), 'growth', recognised('quality'));
    expect(ids).toEqual(
      sorted([
        'mtg.all.existing-policies',
        ...mainBody('mtg', 2),
        'mtg.growth.hiring',
        'mtg.growth.social-insurance',
        'mtg.growth.finance',
        'mtg.growth.homestay-interest',
        'mtg.growth.credit-supervision',
        'mtg.quality.leaders',
        'mtg.quality.time-honoured',
        'mtg.quality.multi-site',
        'mtg.quality.training',
        // The plan's main body, 二(二)5: 传承指导 and 挖掘整理、宣传报道.
        'mtg.quality.transmission',
        'mtg.quality.documentation',
      ]),
    );
  });

  it('a 新兴 holder is told of 走出去 (二(二)5 积极推动有实力的个体工商户“走出去”、拓展国际市场)', () => {
    const { result } = owed(growth(D, 2), 'growth', recognised('emerging'));
    expect(result.measures.find((m) => m.id === 'mtg.emerging.go-abroad')).toMatchObject({
      clause: '门头沟区方案（征求意见稿） 二(二)5',
      because: [{ predicate: 'category', evidence: { category: 'emerging' } }],
    });
  });

  it('a business 不符合分型条件 for a missing report is owed the plan’s annual-report guidance and the rest of 二(三)6–7 meant for every business', () => {
    const noReport = withSection(business(D), 'annualReport', { filed: false });
    expect(owed(noReport, 'ineligible').ids).toEqual(
      sorted([
        'mtg.all.registration-service',
        'mtg.all.annual-report',
        'mtg.all.tax-guidance',
        'mtg.all.training-info',
        'mtg.all.social-insurance-coverage',
        'mtg.all.flexible-enforcement',
        'mtg.all.service-month',
      ]),
    );
  });
});

describe('兴市监发〔2024〕53号 (Daxing, 110115) and 石景山区方案（征求意见稿） (Shijingshan, 110107)', () => {
  it('Daxing growth gets 附件 二(二)1–4; the subsidies for hiring the registered unemployed (二(二)1), the 服务业 working capital and the catering guarantee (二(二)3) on the conditions no data shows', () => {
    const expected = [
      'dx.all.existing-policies',
      'dx.all.registration-service',
      'dx.all.tax-guidance',
      'dx.all.training-info',
      'dx.all.bank-credit',
      'dx.all.flexible-enforcement',
      'dx.all.integration',
      'dx.all.service-month',
      'dx.growth.hiring',
      'dx.growth.hiring-association',
      'dx.growth.finance',
      'dx.growth.catering-finance',
      'dx.growth.credit-supervision',
    ];
    const { result } = owed(growth('110115', 2), 'growth');
    const conditionsOf = (id: string) => result.measures.find((m) => m.id === id)?.conditions;
    expect(conditionsOf('dx.growth.hiring')).toEqual([expect.stringContaining('招用本市登记失业人员或农村就业困难人员')]);
    expect(conditionsOf('dx.growth.finance')).toEqual([expect.stringContaining('服务业个体工商户')]);
    expect(conditionsOf('dx.growth.catering-finance')).toEqual([expect.stringContaining('餐饮类')]);
    expect(owed(growth('110115', 0), 'growth').ids).toEqual(
      sorted([...expected, 'dx.growth.social-insurance', 'dx.all.social-insurance-coverage']),
    );
    expect(owed(growth('110115', 2), 'growth').ids).toEqual(sorted([...expected, 'dx.all.unemployment-insurance-rate']));
  });

  it('Shijingshan survival gets 附件 二 and 二(一)1、2、5 (the text has no 4), 二(一)3 重点群体 on its condition', () => {
    expect(owed(business('110107'), 'survival').ids).toEqual(
      sorted([
        'sjs.all.existing-policies',
        ...mainBody('sjs', 0),
        'sjs.survival.registration',
        'sjs.survival.start-up',
        'sjs.survival.key-groups',
        'sjs.survival.flexible-enforcement',
      ]),
    );
  });

  it('a Beijing district without a text of its own falls back to 国市监注发〔2024〕10号', () => {
    expect(owed(business('110105'), 'survival').result.catalogue).toBe('national-2024@1');
  });
});

describe('国市监注发〔2024〕10号 (Hebei 130102 on the national baseline, and 440305)', () => {
  const common = ['n.all.existing-policies', 'n.all.spot-check-by-type', 'n.all.flexible-enforcement', 'n.all.service-month'];
  const growthOwn = ['n.growth.hiring', 'n.growth.training-info', 'n.growth.finance'];
  const devOwn = [
    'n.development.compliance',
    'n.development.to-enterprise',
    'n.development.to-enterprise-reward',
    'n.development.ip',
  ];
  for (const D of ['130102', '440305']) {
    it(`${D}: survival gets 二(一) and 附件 一(五), 二(四), 二(六)`, () => {
      const { ids, result } = owed(business(D), 'survival');
      expect(result.catalogue).toBe(D === '130102' ? 'hebei-2024@1' : 'national-2024@1');
      expect(ids).toEqual(
        sorted([...common, 'n.survival.market-access', 'n.survival.costs', 'n.survival.inclusive-supervision']),
      );
    });
    it(`${D}: growth gets 二(一) hiring, training, social insurance (nobody insured), finance, and 附件 二(七) (符合分类基础标准、未被认定)`, () => {
      expect(owed(growth(D, 0), 'growth').ids).toEqual(
        sorted([...common, ...growthOwn, 'n.growth.social-insurance', 'n.not-recognised.clusters']),
      );
    });
    it(`${D}: development gets 二(一) and 附件 一(五), and 附件 二(七) (符合分类基础标准、未被认定)`, () => {
      expect(owed(development(D), 'development').ids).toEqual(sorted([...common, ...devOwn, 'n.not-recognised.clusters']));
    });
    it(`${D}: a recognised 新兴 growth business gets 附件 二(七)4 and 二(七) and every growth and development measure`, () => {
      expect(owed(growth(D, 2), 'growth', recognised('emerging')).ids).toEqual(
        sorted([
          ...common,
          ...growthOwn,
          ...devOwn,
          'n.emerging.online-training',
          'n.emerging.traffic',
          'n.emerging.go-abroad',
          'n.mtyx.list-and-badge',
          'n.mtyx.credit',
          'n.mtyx.priority',
          'n.mtyx.sector',
        ]),
      );
    });
  }

  it('二(一) names no department for hiring support, so the measure says its department is inferred; 二(四) names 各级市场监管部门 for annual-report guidance', () => {
    const hiring = owed(growth('130102', 0), 'growth').result.measures.find((m) => m.id === 'n.growth.hiring');
    expect(hiring).toMatchObject({ department: '人力资源社会保障部门', departmentInferred: true });
    const noReport = business('130102', { annualReport: { year: 2024, filed: false, revenueYuan: null } });
    const report = owed(noReport, 'ineligible').result.measures.find((m) => m.id === 'n.all.annual-report');
    expect(report?.department).toBe('市场监管部门');
    expect(report).not.toHaveProperty('departmentInferred');
  });

  it('附件 一(五) 信用修复引导 reaches a business with an unrepaired fine, with the penalty as evidence; 年报引导 one whose report is missing', () => {
    const fined = business('130102', {
      marketCredit: {
        abnormalOperation: false,
        seriousIllegal: false,
        penalties: [{ decidedOn: '2025-03-01', fineOrAbove: true, repaired: false }],
      },
    });
    const repair = owed(fined, 'survival').result.measures.find((m) => m.id === 'n.all.credit-repair');
    expect(repair?.because).toEqual([
      { predicate: 'type', evidence: { type: 'survival' } },
      {
        predicate: 'creditToRepair',
        evidence: { source: 'marketCredit', abnormalOperation: false, unrepairedPenalties: ['2025-03-01'] },
      },
    ]);
    const noReport = business('130102', { annualReport: { year: 2024, filed: false, revenueYuan: null } });
    expect(owed(noReport, 'ineligible').ids).toEqual(['n.all.annual-report']);
  });
});

describe('when a recognition’s support applies (国市监注发〔2024〕10号 附件 二(五)1: 次年1月1日起)', () => {
  const late = (): SupportRecognition => ({
    category: 'distinctive',
    recognisedOn: parseIsoDate('2025-11-30'),
    validUntil: parseIsoDate('2028-11-29'),
    revokedOn: null,
  });
  it('not in the year of recognition; from 1 January after; not after a revocation', () => {
    const record = growth('120101', 2);
    // Typed on 1 January 2026, before the 2025 report season closes, it is typed on its 2024 report
    // (国市监注发〔2024〕10号 附件 一(三)1), as in 2025.
    const in2026 = record;
    const before = owed(record, 'growth', late(), '2025-12-15').result;
    expect(before.mtyx).toBeNull();
    expect(before.measures.some((m) => m.id.startsWith('tj.distinctive.'))).toBe(false);
    const after = owed(in2026, 'growth', late(), '2026-01-01').result;
    expect(after.mtyx).toBe('distinctive');
    expect(after.measures.find((m) => m.id === 'tj.distinctive.one-stop')?.because[0]).toEqual({
      predicate: 'category',
      evidence: { category: 'distinctive', recognisedOn: '2025-11-30', benefitsFrom: '2026-01-01', validUntil: '2028-11-29' },
      clause: '国市监注发〔2024〕10号 附件 二(五)1',
    });
    const revoked = owed(in2026, 'growth', { ...late(), revokedOn: parseIsoDate('2026-03-01') }, '2026-03-01').result;
    expect(revoked.mtyx).toBeNull();
  });
});

describe('a change of type withdraws and adds measures', () => {
  it('survival → growth in Tianjin: the survival measures withdrawn, the growth measures added, the common ones kept', () => {
    const code = business('120101').creditCode;
    const before = owed({ ...business('120101'), creditCode: code }, 'survival').result.measures;
    const after = owed({ ...growth('120101', 0), creditCode: code }, 'growth').result.measures;
    const { withdrawn, added } = supportChange(before, after);
    expect(withdrawn.map((m) => m.id).sort()).toEqual(
      sorted([
        'tj.survival.registration',
        'tj.survival.tax-and-fees',
        'tj.survival.transport-fees',
        'tj.survival.start-up',
        'tj.survival.key-groups',
        'tj.survival.flexible-enforcement',
      ]),
    );
    expect(added.map((m) => m.id)).toContain('tj.growth.finance');
    expect(added.map((m) => m.id)).not.toContain('tj.all.existing-policies');
  });
});

describe('the catalogue files', () => {
  const CITED: Readonly<Record<string, string>> = {
    national: '国市监注发〔2024〕10号',
    hebei: '国市监注发〔2024〕10号',
    tianjin: '津市场监管政务〔2024〕9号',
    '110109': '门头沟区方案（征求意见稿）',
    '110107': '石景山区方案（征求意见稿）',
    '110115': '兴市监发〔2024〕53号',
  };
  const all = loadCatalogues();
  it('there is one for each jurisdiction with a text, and Hebei on the national baseline', () => {
    expect(all.map((c) => c.jurisdiction).sort()).toEqual(Object.keys(CITED).sort());
    expect(all.find((c) => c.jurisdiction === 'hebei')?.baseline).toBe('national');
  });
  it('every measure cites its own text by number (or a draft by its short title), and says why when it cannot be targeted', () => {
    let measures = 0;
    for (const c of all)
      for (const m of c.measures) {
        measures++;
        expect(m.clause.startsWith(CITED[c.jurisdiction] as string), `${c.ref} ${m.id}: ${m.clause}`).toBe(true);
        if (!m.targetable) expect(m.untargetableBecause, m.id).toBeTruthy();
      }
    expect(measures).toBeGreaterThan(150);
  });
  it('a measure that cannot be targeted is never matched: one for businesses that left the register (转企)', () => {
    const untargetable = new Set(all.flatMap((c) => c.measures.filter((m) => !m.targetable).map((m) => m.id)));
    expect(untargetable).toEqual(new Set(['tj.emerging.converted', 'tj.emerging.after-conversion']));
    const cases: [Json, string][] = [
      [business('120101'), 'survival'],
      [growth('110109', 0), 'growth'],
      [growth('110115', 0), 'growth'],
      [business('110107'), 'survival'],
    ];
    for (const [record, type] of cases) for (const id of owed(record, type).ids) expect(untargetable.has(id), id).toBe(false);
  });
});

describe('a recognition joined where the facts are not at hand (the serving store)', () => {
  it('gives what matching with the recognition gives, on generated businesses of every catalogue and each category', async () => {
    const { generateBusinesses } = await import('../../lib/generate/generator.js');
    const asOf = parseIsoDate(AS_OF);
    const c = new Classifier({ asOf, ruleBook });
    const s = new Support(book, asOf);
    let compared = 0;
    for (const region of ['120101', '110109', '110107', '110115', '110105', '130102']) {
      for (const raw of generateBusinesses({ region, businesses: 60, seed: 7 })) {
        const { decision, facts } = c.decideRecord(raw);
        const owed = s.supportFor(decision, facts, null);
        for (const category of ['wellKnown', 'distinctive', 'quality', 'emerging'] as const) {
          const r = recognised(category);
          const joined = s.withRecognition(
            { region: decision.region, type: decision.type, measures: owed.measures, ifRecognised: owed.ifRecognised },
            r,
          );
          const whole = s.supportFor(decision, facts, r);
          expect(joined.mtyx).toBe(whole.mtyx);
          expect(joined.measures).toEqual(whole.measures);
          compared++;
        }
      }
    }
    expect(compared).toBe(6 * 60 * 4);
  });
});
