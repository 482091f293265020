/** Tax authority (税务) feed: registration, non-normal status, general taxpayer, VAT and IIT paid in a year. */
import { z } from 'zod';
import { checkCreditCode, checkDates, day, type FeedDefinition, fen, flag, year, yuan } from '../feed.js';

/** One business's tax position for a year. */
export const taxFeed: FeedDefinition = {
  agency: 'tax',
  feed: 'tax',
  topic: 'tax',
  description: 'tax: year, tax registration date, non-normal, general taxpayer, VAT and IIT paid that year (yuan)',
  columns: [
    { header: 'credit_code', field: 'creditCode', kind: 'string' },
    { header: 'year', field: 'year', kind: 'int' },
    { header: 'registered_on', field: 'registeredOn', kind: 'string' },
    { header: 'non_normal', field: 'nonNormal', kind: 'bool' },
    { header: 'general_taxpayer', field: 'generalTaxpayer', kind: 'bool' },
    { header: 'vat_paid_yuan', field: 'vatPaidYuan', kind: 'number' },
    { header: 'iit_paid_yuan', field: 'iitPaidYuan', kind: 'number' },
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
