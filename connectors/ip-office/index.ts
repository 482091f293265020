/** IP office (知识产权) feed: trademarks in use and patents of the business or its operator. */
import { z } from 'zod';
import { checkCreditCode, count, type FeedDefinition } from '../feed.js';

/** Trademarks in use and patents per business. */
export const ipFeed: FeedDefinition = {
  agency: 'ip-office',
  feed: 'ip',
  topic: 'ip',
  description: 'intellectual property: trademarks in use, patents',
  columns: [
    { header: 'credit_code', field: 'creditCode', kind: 'string' },
    { header: 'trademarks_in_use', field: 'trademarksInUse', kind: 'int' },
    { header: 'patents', field: 'patents', kind: 'int' },
  ],
  row: z.object({ creditCode: z.string(), trademarksInUse: count, patents: count }),
  check: (r, o) => {
    r.creditCode = checkCreditCode(r.creditCode, 'creditCode', o.allowCodes);
  },
  toFact: (r, source) => ({
    topic: 'ip',
    key: r.creditCode as string,
    value: { creditCode: r.creditCode, trademarksInUse: r.trademarksInUse, patents: r.patents, source },
  }),
};
