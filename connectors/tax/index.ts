/** Tax authority (税务) feed: registration, non-normal status, general taxpayer, VAT and IIT paid in a year. */
import { z } from 'zod';
import {
  CREDIT_CODE_COLUMN,
  checkCreditCode,
  checkDates,
  col,
  day,
  type FeedDefinition,
  fen,
  flag,
  YEAR_COLUMN,
  year,
  yesNo,
  yuan,
} from '../feed.js';

/** One business's tax position for a year. */
export const taxFeed: FeedDefinition = {
  agency: 'tax',
  feed: 'tax',
  topic: 'tax',
  description: 'tax: year, tax registration date, non-normal, general taxpayer, VAT and IIT paid that year (yuan)',
  columns: [
    CREDIT_CODE_COLUMN,
    YEAR_COLUMN,
    col('registered_on', 'registeredOn', 'date', ['税务登记日期', '登记日期']),
    col('non_normal', 'nonNormal', 'bool', ['是否非正常户', '非正常户']),
    col(
      'general_taxpayer',
      'generalTaxpayer',
      'bool',
      ['是否一般纳税人', '纳税人资格类型', '纳税人类型'],
      yesNo(['一般纳税人'], ['小规模纳税人']),
    ),
    col('vat_paid_yuan', 'vatPaidYuan', 'number', ['增值税(元)', '增值税缴纳额(元)', '增值税实缴(元)']),
    col('iit_paid_yuan', 'iitPaidYuan', 'number', ['个人所得税(元)', '个人所得税缴纳额(元)', '个人所得税实缴(元)']),
  ],
  row: z.object({
    creditCode: z.string(),
    year,
    registeredOn: z.string().nullish(),
    nonNormal: flag,
    generalTaxpayer: flag,
    vatPaidYuan: yuan,
    iitPaidYuan: yuan,
  }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
    checkDates(r, ['registeredOn']);
  },
  toFact: (r, source) => ({
    topic: 'tax',
    key: `${r.creditCode}:${r.year}`,
    partitionKey: r.creditCode as string,
    value: {
      creditCode: r.creditCode,
      year: r.year,
      registeredOn: day(r.registeredOn),
      nonNormal: r.nonNormal,
      generalTaxpayer: r.generalTaxpayer,
      vatPaidFen: fen(r.vatPaidYuan),
      iitPaidFen: fen(r.iitPaidYuan),
      source,
    },
  }),
};
