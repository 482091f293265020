/** Social insurance (社保) feed: people insured as a unit, operator included, in a year. */
import { z } from 'zod';
import { CREDIT_CODE_COLUMN, checkCreditCode, col, count, type FeedDefinition, YEAR_COLUMN, year } from '../feed.js';

/** Insured headcount per business and year. */
export const socialInsuranceFeed: FeedDefinition = {
  agency: 'social-insurance',
  feed: 'headcount',
  topic: 'socialInsurance',
  description: 'social insurance: year, people insured as a unit (operator included)',
  columns: [
    CREDIT_CODE_COLUMN,
    YEAR_COLUMN,
    col('insured_headcount', 'insuredHeadcount', 'int', ['参保人数', '参保职工人数', '单位参保人数']),
  ],
  row: z.object({ creditCode: z.string(), year, insuredHeadcount: count }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
  },
  toFact: (r, source) => ({
    topic: 'socialInsurance',
    key: `${r.creditCode}:${r.year}`,
    partitionKey: r.creditCode as string,
    value: { creditCode: r.creditCode, year: r.year, insuredHeadcount: r.insuredHeadcount, source },
  }),
};
