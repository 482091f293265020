/**
 * Splits one business snapshot (the classify input, with optional honours and application) into
 * the rows each agency would export for it. Used to feed generated regions through the real
 * connectors (npm start, tests, benchmarks). Yearly amounts in the snapshot are "last year's":
 * they are given that year here.
 */

/** One row for one feed (`agency/feed`), with the JSON-lines field names. */
export interface FeedRow {
  readonly feed: string;
  readonly row: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** The agency rows of one business; `lastYear` is the year yearly tax and insurance facts belong to. */
export function splitBusiness(b: Json, lastYear: number): FeedRow[] {
  const code = b.creditCode;
  const out: FeedRow[] = [];
  const reg = b.registration as Json | null | undefined;
  if (reg != null) {
    out.push({
      feed: 'market-regulator/registration',
      row: {
        creditCode: code,
        name: b.name ?? null,
        regionCode: b.regionCode ?? null,
        operatorId: b.operatorId ?? null,
        status: reg.status,
        establishedOn: reg.establishedOn,
        seasonal: reg.seasonal ?? false,
        suspendedUntil: reg.suspendedUntil ?? null,
      },
    });
  }
  const ar = b.annualReport as Json | null | undefined;
  if (ar != null)
    out.push({
      feed: 'market-regulator/annual-report',
      row: { creditCode: code, year: ar.year, filed: ar.filed, revenueYuan: ar.revenueYuan ?? null },
    });
  const mc = b.marketCredit as Json | null | undefined;
  if (mc != null) {
    out.push({
      feed: 'market-regulator/market-credit',
      row: {
        creditCode: code,
        abnormalOperation: mc.abnormalOperation ?? false,
        seriousIllegal: mc.seriousIllegal ?? false,
        penalties: mc.penalties ?? [],
      },
    });
  }
  const tax = b.tax as Json | null | undefined;
  if (tax != null) {
    out.push({
      feed: 'tax/tax',
      row: {
        creditCode: code,
        year: lastYear,
        registeredOn: tax.registeredOn ?? null,
        nonNormal: tax.nonNormal ?? false,
        generalTaxpayer: tax.generalTaxpayer ?? false,
        vatPaidYuan: tax.vatPaidYuan ?? 0,
        iitPaidYuan: tax.iitPaidYuan ?? 0,
      },
    });
  }
  const si = b.socialInsurance as Json | null | undefined;
  if (si != null)
    out.push({
      feed: 'social-insurance/headcount',
      row: { creditCode: code, year: lastYear, insuredHeadcount: si.insuredHeadcount ?? 0 },
    });
  const ip = b.ip as Json | null | undefined;
  if (ip != null)
    out.push({
      feed: 'ip-office/ip',
      row: { creditCode: code, trademarksInUse: ip.trademarksInUse ?? 0, patents: ip.patents ?? 0 },
    });
  const court = b.court as Json | null | undefined;
  if (court != null && typeof b.operatorId === 'string') {
    out.push({
      feed: 'court/dishonest-debtors',
      row: { operatorId: b.operatorId, dishonest: court.operatorDishonest ?? false, listedOn: null },
    });
  }
  if (b.honours != null) out.push({ feed: 'culture-agriculture/honours', row: { creditCode: code, honours: b.honours } });
  const app = b.application as Json | null | undefined;
  if (app != null) out.push({ feed: 'market-regulator/applications', row: { creditCode: code, ...app } });
  for (const step of (b.reviewSteps as Json[] | null | undefined) ?? [])
    out.push({ feed: 'market-regulator/review-steps', row: { creditCode: code, ...step } });
  for (const report of (b.mtyxReports as Json[] | null | undefined) ?? [])
    out.push({ feed: 'market-regulator/mtyx-reports', row: { creditCode: code, ...report } });
  return out;
}
