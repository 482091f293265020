/** Test helpers: build business fact records with valid credit codes. */
import { completeCreditCode } from '../../lib/creditCode.js';

let seq = 0;

/** A valid individual-business credit code in a division (a fresh one each call, or from `n`). */
export function codeIn(division: string, n = ++seq): string {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '';
  let v = n;
  for (let i = 0; i < 6; i++) {
    body = cs[v % 31] + body;
    v = Math.floor(v / 31);
  }
  return completeCreditCode(`92${division}MA${body}`);
}

type Json = Record<string, unknown>;

/**
 * A healthy survival-type business (active, report filed, no credit problems, tax-registered
 * long ago, no tax paid, nobody insured, no IP), established 2015-03-01 in `division`.
 * `over` replaces whole sections (pass `undefined` to drop one).
 */
export function business(division: string, over: Json = {}): Json {
  const base: Json = {
    creditCode: codeIn(division),
    name: '测试个体户',
    operatorId: `op-${seq}`,
    registration: { status: 'active', establishedOn: '2015-03-01', seasonal: false, suspendedUntil: null },
    annualReport: { year: 2024, filed: true, revenueYuan: 50_000 },
    marketCredit: { abnormalOperation: false, seriousIllegal: false, penalties: [] },
    tax: { registeredOn: '2015-03-10', nonNormal: false, generalTaxpayer: false, vatPaidYuan: 0, iitPaidYuan: 0 },
    socialInsurance: { insuredHeadcount: 0 },
    ip: { trademarksInUse: 0, patents: 0 },
    court: { operatorDishonest: false },
  };
  const out: Json = { ...base, ...over };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete out[k];
  return out;
}

/** Merge into one section of a record. */
export function withSection(record: Json, section: string, fields: Json): Json {
  return { ...record, [section]: { ...((record[section] as Json | undefined) ?? {}), ...fields } };
}

/**
 * Review steps a candidate passed in `year` after applying on `submittedOn`: a verification visit
 * 3 days on, a consultation with no objection 4 days on, a 7-day public notice from 5 days on.
 */
export function passedReview(year: number, submittedOn: string): Json[] {
  const on = (days: number) => {
    const d = new Date(`${submittedOn}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  };
  return [
    { year, step: 'verification', stepId: 'visit-1', on: on(3), outcome: 'passed', actor: 'regulator:visit' },
    { year, step: 'consultation', stepId: 'consult-1', on: on(4), outcome: 'noObjection', actor: 'regulator:consult' },
    { year, step: 'notice', stepId: 'notice-1', on: on(5), until: on(11), outcome: 'published', actor: 'regulator:notice' },
  ];
}
