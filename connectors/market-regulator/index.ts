/**
 * Market regulator (市场监管) feeds: registration, annual reports (年度报告), market credit
 * (经营异常, 严重违法失信名单, 行政处罚) and 名特优新 applications/recommendations.
 */
import { z } from 'zod';
import { GetihuError } from '../../lib/errors.js';
import {
  CREDIT_CODE_COLUMN,
  checkCreditCode,
  checkDates,
  checkRegion,
  col,
  count,
  day,
  type FeedDefinition,
  fen,
  flag,
  YEAR_COLUMN,
  year,
  yesNo,
  yuan,
} from '../feed.js';

const AGENCY = 'market-regulator';

/** Registration state of each business. */
export const registrationFeed: FeedDefinition = {
  agency: AGENCY,
  feed: 'registration',
  topic: 'registration',
  description: 'registration state: status, establishment date, seasonal flag, end of the legal maximum suspension',
  columns: [
    CREDIT_CODE_COLUMN,
    col('name', 'name', 'string', ['名称', '个体工商户名称', '字号名称', '字号']),
    col('region_code', 'regionCode', 'string', ['行政区划代码', '所在地行政区划代码', '区划代码']),
    col('operator_id', 'operatorId', 'string', ['经营者证件号码', '经营者身份证件号码', '经营者身份证号码', '经营者标识']),
    col('status', 'status', 'string', ['登记状态', '经营状态'], {
      存续: 'active',
      在业: 'active',
      开业: 'active',
      吊销: 'revoked',
      '吊销，未注销': 'revoked',
      注销: 'cancelled',
      撤销: 'withdrawn',
      撤销登记: 'withdrawn',
    }),
    col('established_on', 'establishedOn', 'date', ['成立日期', '登记日期', '注册日期']),
    col('seasonal', 'seasonal', 'bool', ['是否季节性经营', '季节性经营']),
    col('suspended_until', 'suspendedUntil', 'date', ['歇业期满日期', '歇业截止日期']),
  ],
  row: z.object({
    creditCode: z.string(),
    name: z.string().nullish(),
    regionCode: z.string().nullish(),
    operatorId: z.string().min(1).nullish(),
    status: z.enum(['active', 'revoked', 'cancelled', 'withdrawn']),
    establishedOn: z.string(),
    seasonal: flag.nullish(),
    suspendedUntil: z.string().nullish(),
  }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    checkRegion(r.regionCode);
    checkDates(r, ['establishedOn', 'suspendedUntil']);
  },
  toFact: (r, source) => ({
    topic: 'registration',
    key: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      name: r.name ?? null,
      regionCode: r.regionCode ?? (r.creditCode as string).slice(2, 8),
      operatorId: r.operatorId ?? null,
      status: r.status,
      establishedOn: day(r.establishedOn),
      seasonal: r.seasonal === true,
      suspendedUntil: day(r.suspendedUntil),
      source,
    },
  }),
};

/** Annual reports, one per business and year. */
export const annualReportFeed: FeedDefinition = {
  agency: AGENCY,
  feed: 'annual-report',
  topic: 'annualReport',
  description: 'annual reports: year, filed, reported revenue (yuan)',
  columns: [
    CREDIT_CODE_COLUMN,
    YEAR_COLUMN,
    col(
      'filed',
      'filed',
      'bool',
      ['是否已报送', '年报状态', '是否年报'],
      yesNo(['已报送', '已年报', '已公示'], ['未报送', '未年报']),
    ),
    col('revenue_yuan', 'revenueYuan', 'number', ['营业额(元)', '营业收入(元)', '营业额', '营业收入']),
  ],
  row: z.object({ creditCode: z.string(), year, filed: flag, revenueYuan: yuan.nullish() }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
  },
  toFact: (r, source) => ({
    topic: 'annualReport',
    key: `${r.creditCode}:${r.year}`,
    partitionKey: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      year: r.year,
      filed: r.filed,
      revenueFen: r.revenueYuan == null ? null : fen(r.revenueYuan),
      source,
    },
  }),
};

const penalty = z.object({ decidedOn: z.string(), fineOrAbove: flag, repaired: flag.nullish() });

/** Market credit: abnormal operation, the serious-illegality list, administrative penalties. */
export const marketCreditFeed: FeedDefinition = {
  agency: AGENCY,
  feed: 'market-credit',
  topic: 'marketCredit',
  description: 'market credit: abnormal operation, serious illegality, penalties (JSON array in CSV)',
  columns: [
    CREDIT_CODE_COLUMN,
    col('abnormal_operation', 'abnormalOperation', 'bool', ['是否列入经营异常名录', '经营异常', '列入经营异常名录']),
    col('serious_illegal', 'seriousIllegal', 'bool', ['是否列入严重违法失信名单', '严重违法失信']),
    col('penalties', 'penalties', 'json'),
  ],
  row: z.object({ creditCode: z.string(), abnormalOperation: flag, seriousIllegal: flag, penalties: z.array(penalty).nullish() }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    for (const [i, p] of ((r.penalties as Record<string, unknown>[] | null) ?? []).entries()) {
      checkDates(p, ['decidedOn']);
      void i;
    }
  },
  toFact: (r, source) => ({
    topic: 'marketCredit',
    key: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      abnormalOperation: r.abnormalOperation,
      seriousIllegal: r.seriousIllegal,
      penalties: ((r.penalties as z.infer<typeof penalty>[] | null) ?? []).map((p) => ({
        decidedOn: day(p.decidedOn),
        fineOrAbove: p.fineOrAbove,
        repaired: p.repaired === true,
      })),
      source,
    },
  }),
};

/** 名特优新 applications and department recommendations, with the review. */
export const applicationFeed: FeedDefinition = {
  agency: AGENCY,
  feed: 'applications',
  topic: 'application',
  description: '名特优新 applications and recommendations for a year, with the regulator review flags (JSON)',
  columns: [
    CREDIT_CODE_COLUMN,
    YEAR_COLUMN,
    col('route', 'route', 'string', ['申报方式', '申报途径'], {
      自主申报: 'application',
      个人申报: 'application',
      部门推荐: 'recommendation',
      推荐: 'recommendation',
    }),
    col('category', 'category', 'string', ['申报类别', '类别'], {
      知名: 'wellKnown',
      知名个体工商户: 'wellKnown',
      特色: 'distinctive',
      特色个体工商户: 'distinctive',
      优质: 'quality',
      优质个体工商户: 'quality',
      新兴: 'emerging',
      新兴个体工商户: 'emerging',
    }),
    col('submitted_on', 'submittedOn', 'date', ['申报日期', '提交日期']),
    col('recommender', 'recommender', 'string', ['推荐部门', '推荐单位']),
    col('operator_consent', 'operatorConsent', 'bool', ['经营者是否同意', '经营者同意']),
    col('special_group', 'specialGroup', 'string', ['特殊群体'], {
      退役军人: 'veteran',
      高校毕业生: 'graduate',
      残疾人: 'disabled',
      返乡农民工: 'returningMigrant',
    }),
    col('review', 'review', 'json'),
  ],
  row: z.object({
    creditCode: z.string(),
    year,
    route: z.enum(['application', 'recommendation']),
    category: z.enum(['wellKnown', 'distinctive', 'quality', 'emerging']).nullish(),
    submittedOn: z.string(),
    recommender: z.string().nullish(),
    operatorConsent: flag.nullish(),
    specialGroup: z.enum(['veteran', 'graduate', 'disabled', 'returningMigrant']).nullish(),
    review: z.record(z.string(), z.boolean()).nullish(),
  }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    checkDates(r, ['submittedOn']);
  },
  toFact: (r, source) => ({
    topic: 'application',
    key: `${r.creditCode}:${r.year}`,
    partitionKey: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      year: r.year,
      route: r.route,
      category: r.category ?? null,
      submittedOn: day(r.submittedOn),
      recommender: r.recommender ?? null,
      operatorConsent: r.operatorConsent ?? null,
      specialGroup: r.specialGroup ?? null,
      review: r.review ?? {},
      source,
    },
  }),
};

/**
 * The yearly information report of a 名特优新 business (信息报告, by 31 July each year) and the
 * report of a change of operator (变更经营者的，要在变更后及时报告): 国市监注发〔2024〕10号 附件
 * 二(六); 津市场监管政务〔2024〕9号 附件2 五. Filed on the 培育平台, exported by the market regulator.
 */
export const mtyxReportFeed: FeedDefinition = {
  agency: AGENCY,
  feed: 'mtyx-reports',
  topic: 'mtyxReport',
  description: '名特优新 yearly information reports: year, date reported, and a change of operator with the new operator',
  columns: [
    CREDIT_CODE_COLUMN,
    YEAR_COLUMN,
    col('reported_on', 'reportedOn', 'date', ['报告日期']),
    col('operator_changed', 'operatorChanged', 'bool', ['是否变更经营者']),
    col('new_operator_id', 'newOperatorId', 'string', ['新经营者证件号码']),
  ],
  row: z.object({
    creditCode: z.string(),
    year,
    reportedOn: z.string(),
    operatorChanged: flag.nullish(),
    newOperatorId: z.string().min(1).nullish(),
  }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    checkDates(r, ['reportedOn']);
    if (r.operatorChanged === true && (r.newOperatorId == null || r.newOperatorId === ''))
      throw new GetihuError('INVALID_INPUT', 'newOperatorId: a report of a change of operator must name the new operator', {
        field: 'newOperatorId',
      });
  },
  toFact: (r, source) => ({
    topic: 'mtyxReport',
    key: `${r.creditCode}:${r.year}`,
    partitionKey: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      year: r.year,
      reportedOn: day(r.reportedOn),
      operatorChanged: r.operatorChanged ?? false,
      newOperatorId: r.newOperatorId ?? null,
      source,
    },
  }),
};

/** Outcomes each review step may have. */
const STEP_OUTCOMES = {
  verification: ['passed', 'failed'],
  consultation: ['noObjection', 'objection'],
  notice: ['published'],
  objection: ['pending', 'upheld', 'dismissed'],
} as const;

/**
 * Review steps of 名特优新 candidates, recorded by the regulator who acted (the actor): 走访核实,
 * 征求意见, 信息公示 (from `on` to `until`) and objections raised during the notice
 * (国市监注发〔2024〕10号 附件 二(三)1、二(五)2; 津市场监管政务〔2024〕9号 附件2 四(二)1).
 */
export const reviewStepFeed: FeedDefinition = {
  agency: AGENCY,
  feed: 'review-steps',
  topic: 'reviewStep',
  description:
    '名特优新 review steps: verification visit, consultation, public notice (from/until), objection; outcome and actor',
  columns: [
    CREDIT_CODE_COLUMN,
    YEAR_COLUMN,
    col('step', 'step', 'string', ['环节', '审核环节'], {
      走访核实: 'verification',
      征求意见: 'consultation',
      信息公示: 'notice',
      异议: 'objection',
    }),
    col('step_id', 'stepId', 'string', ['环节编号']),
    col('on', 'on', 'date', ['日期', '开始日期']),
    col('until', 'until', 'date', ['截止日期']),
    col('outcome', 'outcome', 'string', ['结果'], {
      通过: 'passed',
      未通过: 'failed',
      无异议: 'noObjection',
      有异议: 'objection',
      已公示: 'published',
      待处理: 'pending',
      异议成立: 'upheld',
      异议不成立: 'dismissed',
    }),
    col('actor', 'actor', 'string', ['经办单位', '经办人']),
    col('note', 'note', 'string', ['备注']),
  ],
  row: z.object({
    creditCode: z.string(),
    year,
    step: z.enum(['verification', 'consultation', 'notice', 'objection']),
    stepId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits and ._:- only, at most 64'),
    on: z.string(),
    until: z.string().nullish(),
    outcome: z.enum(['passed', 'failed', 'noObjection', 'objection', 'published', 'pending', 'upheld', 'dismissed']),
    actor: z.string().min(1).max(200),
    note: z.string().max(2000).nullish(),
  }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    checkDates(r, ['on', 'until']);
    const step = r.step as keyof typeof STEP_OUTCOMES;
    if (!(STEP_OUTCOMES[step] as readonly string[]).includes(r.outcome as string))
      throw new GetihuError('INVALID_INPUT', `outcome: a ${step} step's outcome is one of ${STEP_OUTCOMES[step].join(', ')}`, {
        field: 'outcome',
      });
    if (step === 'notice' && (r.until == null || (r.until as string) < (r.on as string)))
      throw new GetihuError('INVALID_INPUT', 'until: a notice runs from on to until, on or after on', { field: 'until' });
  },
  toFact: (r, source) => ({
    topic: 'reviewStep',
    key: `${r.creditCode}:${r.year}:${r.step}:${r.stepId}`,
    partitionKey: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      year: r.year,
      step: r.step,
      stepId: r.stepId,
      on: day(r.on),
      until: r.until == null ? null : day(r.until),
      outcome: r.outcome,
      actor: r.actor,
      note: r.note ?? null,
      source,
    },
  }),
};

void count;
