/** Social insurance (社保) feed: people insured as a unit, operator included, in a year. */
import { z } from 'zod';
import { checkCreditCode, count, type FeedDefinition, year } from '../feed.js';

/** Insured headcount per business and year. */
export const socialInsuranceFeed: FeedDefinition = {
  agency: 'social-insurance',
  feed: 'headcount',
  topic: 'socialInsurance',
  description: 'social insurance: year, people insured as a unit (operator included)',
  columns: [
    { header: 'credit_code', field: 'creditCode', kind: 'string' },
    { header: 'year', field: 'year', kind: 'int' },
    { header: 'insured_headcount', field: 'insuredHeadcount', kind: 'int' },
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
