/**
 * What a business is owed (精准帮扶), as the gateway answers it: its decision's measures from the
 * store, with what its recognition in effect today adds. Shared by the business's, the
 * regulator's and the departments' routes.
 */
import { chinaDate, parseIsoDate } from '../lib/dates.js';
import type { SupportOwedRow } from '../lib/store/index.js';
import { type BusinessType, type MatchedMeasure, Support, type SupportRecognition } from '../matchers/index.js';
import type { GatewayParts } from './context.js';

/** A business's measures as answered. */
export interface OwedView {
  readonly creditCode: string;
  readonly type: string;
  readonly asOf: string;
  readonly decisionId: string;
  readonly catalogue: string;
  readonly mtyx: string | null;
  readonly measures: MatchedMeasure[];
  /** Present when the current decision is of another type than the one the measures follow. */
  readonly currentDecision?: { readonly decisionId: string; readonly type: string; readonly note: string };
}

/** A business's measures as the routes answer them. */
export interface SupportViews {
  viewOf(owed: SupportOwedRow): Promise<OwedView>;
  owedView(code: string): Promise<OwedView | null>;
}

type ViewParts = Pick<GatewayParts, 'o' | 'now' | 'catalogues' | 'activeRecognition' | 'snapshot'>;

/** One set of views a gateway, whichever of its route modules asks: they share the day's matcher. */
const viewsOfGateway = new WeakMap<ViewParts, SupportViews>();

/** The support views of a gateway's parts (the business's, the regulator's, the departments' and the monitoring routes use them). */
export function supportViews(g: ViewParts): SupportViews {
  let views = viewsOfGateway.get(g);
  if (views === undefined) {
    views = viewsOf(g);
    viewsOfGateway.set(g, views);
  }
  return views;
}

function viewsOf(g: ViewParts): SupportViews {
  const { o, now, catalogues, activeRecognition, snapshot } = g;
  // One matcher a day (China time): a recognition counts from the day its support applies.
  let day = '';
  let support: Support | undefined;
  const supportToday = () => {
    const today = chinaDate(now());
    if (support === undefined || today !== day) {
      support = new Support(catalogues, parseIsoDate(today));
      day = today;
    }
    return support;
  };

  /** What a business is owed today, from its row of the store. */
  const viewOf = async (owed: SupportOwedRow): Promise<OwedView> => {
    const current = await snapshot(owed.creditCode);
    const held = activeRecognition(current.recognition);
    const recognition: SupportRecognition | null =
      held === null
        ? null
        : {
            category: held.category as SupportRecognition['category'],
            recognisedOn: parseIsoDate(held.validFrom),
            validUntil: parseIsoDate(held.validUntil),
            revokedOn: null,
          };
    const { mtyx, measures } = supportToday().withRecognition(
      {
        region: owed.region,
        type: owed.type as BusinessType,
        measures: owed.measures as unknown as MatchedMeasure[],
        ifRecognised: owed.ifRecognised as unknown as MatchedMeasure[],
      },
      recognition,
    );
    // A decision the pipeline did not make (a dispute adjustment) carries no measures: say so,
    // rather than answer the measures of a type the business no longer has as if they were current.
    const d = current.decision;
    const behind =
      d !== null && d.decisionId !== owed.decisionId && d.type !== owed.type
        ? {
            decisionId: d.decisionId,
            type: d.type,
            note: 'the current decision (a dispute adjustment) is of another type; these measures follow the decision on the facts, until the next run decides on them',
          }
        : null;
    return {
      creditCode: owed.creditCode,
      type: owed.type,
      asOf: owed.asOf,
      decisionId: owed.decisionId,
      catalogue: owed.catalogue,
      mtyx,
      measures,
      ...(behind === null ? {} : { currentDecision: behind }),
    };
  };
  return {
    viewOf,
    owedView: async (code) => {
      const owed = await o.store.support.of(code);
      return owed === null ? null : viewOf(owed);
    },
  };
}

/** One department's line of the support series (监测分析): measures owed, granted without application, and recorded. */
export interface SupportByDepartment {
  readonly department: string;
  readonly matched: number;
  readonly noApplication: number;
  readonly delivered: number;
  readonly declined: number;
  readonly unreachable: number;
}

/** The departments a measure names (the texts join two with 、), as the store's series splits them. */
function departmentsOf(m: MatchedMeasure): string[] {
  return m.department.split('、').map((d) => d.trim());
}

/**
 * The store's support series (the measures the decisions carried) with what the recognitions in
 * effect change for their holders: each holder counts with the measures it is owed today, as its
 * own view answers them (its category's added, the measures for the not-recognised gone).
 */
export function withHoldersSupport(
  series: readonly SupportByDepartment[],
  holders: readonly { readonly carried: readonly MatchedMeasure[]; readonly today: readonly MatchedMeasure[] }[],
): SupportByDepartment[] {
  const by = new Map(series.map((r) => [r.department, { ...r }]));
  const count = (measures: readonly MatchedMeasure[], sign: 1 | -1) => {
    for (const m of measures)
      for (const department of departmentsOf(m)) {
        const row = by.get(department) ?? { department, matched: 0, noApplication: 0, delivered: 0, declined: 0, unreachable: 0 };
        row.matched += sign;
        if (m.noApplication) row.noApplication += sign;
        by.set(department, row);
      }
  };
  for (const h of holders) {
    count(h.carried, -1);
    count(h.today, 1);
  }
  return [...by.values()].filter((r) => r.matched > 0 || r.delivered + r.declined + r.unreachable > 0);
}
