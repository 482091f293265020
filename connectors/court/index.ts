/** Courts (法院) feed: operators on the list of dishonest judgment debtors (失信被执行人), keyed by operator. */
import { z } from 'zod';
import { checkDates, day, type FeedDefinition, flag } from '../feed.js';

/** The court list, by operator. */
export const courtFeed: FeedDefinition = {
  agency: 'court',
  feed: 'dishonest-debtors',
  topic: 'court',
  description: 'court list: operator id, on the list or not, listing date',
  columns: [
    { header: 'operator_id', field: 'operatorId', kind: 'string' },
    { header: 'dishonest', field: 'dishonest', kind: 'bool' },
    { header: 'listed_on', field: 'listedOn', kind: 'string' },
  ],
  row: z.object({ operatorId: z.string().min(1).max(200), dishonest: flag, listedOn: z.string().nullish() }),
  check: (r) => checkDates(r, ['listedOn']),
  toFact: (r, source) => ({
    topic: 'court',
    key: r.operatorId as string,
    value: { operatorId: r.operatorId, dishonest: r.dishonest, listedOn: day(r.listedOn), source },
  }),
};
