/** IP office (知识产权) feed: trademarks in use and patents of the business or its operator. */
import { z } from 'zod';
import { CREDIT_CODE_COLUMN, checkCreditCode, col, count, type FeedDefinition } from '../feed.js';

/** Trademarks in use and patents per business. */
export const ipFeed: FeedDefinition = {
  agency: 'ip-office',
  feed: 'ip',
  topic: 'ip',
  description: 'intellectual property: trademarks in use, patents',
  columns: [
    CREDIT_CODE_COLUMN,
    col('trademarks_in_use', 'trademarksInUse', 'int', ['有效注册商标数', '注册商标数', '商标数']),
    col('patents', 'patents', 'int', ['有效专利数', '专利数']),
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
