/** Courts (法院) feed: operators on the list of dishonest judgment debtors (失信被执行人), keyed by operator. */
import { z } from 'zod';
import { checkDates, col, day, type FeedDefinition, flag } from '../feed.js';

/** The court list, by operator. */
export const courtFeed: FeedDefinition = {
  agency: 'court',
  feed: 'dishonest-debtors',
  topic: 'court',
  description: 'court list: operator id, on the list or not, listing date',
  columns: [
    col('operator_id', 'operatorId', 'string', ['被执行人证件号码', '证件号码', '身份证号码']),
    col('dishonest', 'dishonest', 'bool', ['是否失信被执行人', '失信被执行人']),
    col('listed_on', 'listedOn', 'date', ['列入日期', '发布日期']),
  ],
  row: z.object({ operatorId: z.string().min(1).max(200), dishonest: flag, listedOn: z.string().nullish() }),
  check: (r) => checkDates(r, ['listedOn']),
  toFact: (r, source) => ({
    topic: 'court',
    key: r.operatorId as string,
    value: { operatorId: r.operatorId, dishonest: r.dishonest, listedOn: day(r.listedOn), source },
  }),
};
