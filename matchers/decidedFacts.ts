/**
 * The facts a typing decision was made from, in the form a decision event carries them
 * (`facts` of getihu.decision.typing v2): what the core read of one business — day numbers, fen,
 * counts and flags, a missing value as null — and nothing the explanation adds. The reasons (the
 * criteria with their evidence and clauses) are not carried: `Explainer` renders them again from
 * these facts and the rule set named in the event, where a person reads them, identical to what
 * the decision was made with, since the same core computes them.
 */
import type { DayNumber } from '../lib/dates.js';
import type { BusinessFacts } from './facts.js';

/** The compact facts of one decision: the shape of the event's `DecidedFacts` record. */
export interface DecidedFacts {
  readonly present: {
    readonly registration: boolean;
    readonly annualReport: boolean;
    readonly marketCredit: boolean;
    readonly tax: boolean;
    readonly socialInsurance: boolean;
    readonly ip: boolean;
    readonly court: boolean;
  };
  readonly status: 'active' | 'revoked' | 'cancelled' | 'withdrawn' | null;
  readonly establishedOn: DayNumber | null;
  readonly seasonal: boolean;
  readonly suspendedUntil: DayNumber | null;
  readonly reportYear: number | null;
  readonly reportFiled: boolean;
  readonly revenueFen: number | null;
  readonly abnormalOperation: boolean;
  readonly seriousIllegal: boolean;
  readonly penalties: readonly { readonly decidedOn: DayNumber; readonly fineOrAbove: boolean; readonly repaired: boolean }[];
  readonly taxRegisteredOn: DayNumber | null;
  readonly taxNonNormal: boolean;
  readonly generalTaxpayer: boolean;
  readonly vatPaidFen: number;
  readonly iitPaidFen: number;
  readonly insuredHeadcount: number;
  readonly trademarksInUse: number;
  readonly patents: number;
  readonly operatorDishonest: boolean;
}

const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);
const orNaN = (n: number | null | undefined): number => (n == null ? Number.NaN : n);

/** What a decision carries of the facts it was made from. */
export function decidedFactsOf(f: BusinessFacts): DecidedFacts {
  return {
    present: { ...f.present },
    status: f.status,
    establishedOn: orNull(f.establishedOn),
    seasonal: f.seasonal,
    suspendedUntil: orNull(f.suspendedUntil),
    reportYear: orNull(f.reportYear),
    reportFiled: f.reportFiled,
    revenueFen: orNull(f.revenueFen),
    abnormalOperation: f.abnormalOperation,
    seriousIllegal: f.seriousIllegal,
    penalties: f.penalties.map((p) => ({ decidedOn: p.decidedOn, fineOrAbove: p.fineOrAbove, repaired: p.repaired })),
    taxRegisteredOn: orNull(f.taxRegisteredOn),
    taxNonNormal: f.taxNonNormal,
    generalTaxpayer: f.generalTaxpayer,
    vatPaidFen: f.vatPaidFen,
    iitPaidFen: f.iitPaidFen,
    insuredHeadcount: f.insuredHeadcount,
    trademarksInUse: f.trademarksInUse,
    patents: f.patents,
    operatorDishonest: f.operatorDishonest,
  };
}

/**
 * The facts again, for the core, from what a decision carries and whom it concerns. Name,
 * operator and warnings are not carried: no criterion reads them.
 */
export function factsFromDecided(d: DecidedFacts, creditCode: string, divisionCode: string): BusinessFacts {
  return {
    creditCode,
    name: null,
    divisionCode,
    operatorId: null,
    present: { ...d.present },
    status: d.status,
    establishedOn: orNaN(d.establishedOn),
    seasonal: d.seasonal,
    suspendedUntil: orNaN(d.suspendedUntil),
    reportYear: orNaN(d.reportYear),
    reportFiled: d.reportFiled,
    revenueFen: orNaN(d.revenueFen),
    abnormalOperation: d.abnormalOperation,
    seriousIllegal: d.seriousIllegal,
    penalties: d.penalties.map((p) => ({ decidedOn: p.decidedOn, fineOrAbove: p.fineOrAbove, repaired: p.repaired })),
    taxRegisteredOn: orNaN(d.taxRegisteredOn),
    taxNonNormal: d.taxNonNormal,
    generalTaxpayer: d.generalTaxpayer,
    vatPaidFen: d.vatPaidFen,
    iitPaidFen: d.iitPaidFen,
    insuredHeadcount: d.insuredHeadcount,
    trademarksInUse: d.trademarksInUse,
    patents: d.patents,
    operatorDishonest: d.operatorDishonest,
    warnings: [],
  };
}
