/**
 * The sink: decision events, what they owe each business (精准帮扶), run summaries,
 * registrations, and the year's 名特优新 applications and review steps into the serving store. A batch's offsets are committed only after its rows are
 * committed in the store. Decisions are applied in the order they were published (a decision equal
 * to a business's current one changes nothing: see the store's applyDecisions), so a batch replayed
 * after a crash ends where it ended before (a business with two decisions in it is told of both again).
 */
import type { InRecord } from '../lib/bus/index.js';
import { formatIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { logger } from '../lib/observe/index.js';
import type {
  ApplicationRow,
  RecognitionChange,
  ReviewStepRow,
  Store,
  StoredDecision,
  SupportOwedRow,
} from '../lib/store/index.js';
import {
  type BusinessType,
  type CatalogueBook,
  type DecidedFacts,
  Explainer,
  factsFromDecided,
  loadCatalogueBook,
  type MatchedMeasure,
  Support,
} from '../matchers/index.js';
import { badgeEventId } from './badges.js';
import { DeadLetterer, isPoison } from './deadLetters.js';
import { decisionIdOf } from './decide.js';
import { recognitionRowOf, roundOutcomeRowOf } from './ledger.js';
import type { PipelineContext } from './reconciler.js';
import { topicName, waitCaughtUp } from './reconciler.js';

/** A consumer group name of this deployment: the topic prefix in front, as topics have it. */
export function prefixedGroup(ctx: PipelineContext, group: string): string {
  return ctx.prefix === '' ? group : `${ctx.prefix}.${group}`;
}

const log = logger('sink');

/** How one topic's values reach the store. */
interface TopicWriter {
  rows(v: Record<string, unknown>): unknown[];
  write(rows: unknown[]): Promise<void>;
}

type RunRecord = Parameters<Store['recordRun']>[0];
type BusinessRow = Parameters<Store['upsertBusinesses']>[0][number];

/**
 * The store's row of a decision event. A machine decision carries the facts it was made from: its
 * reasons are rendered from them under the rule set it names, and must give the decision's own id
 * (a hash over the reasons), or the event is set aside — a rule set version changed after it was
 * published, or an event not made by this core. An adjustment carries its reasons; so do events of
 * schema v1, read through v2.
 * @throws GetihuError `INVALID_INPUT` (a dead letter) when the rendered reasons do not give the id.
 */
function decisionRowOf(v: Record<string, unknown>, explainer: Explainer): StoredDecision {
  const creditCode = v.creditCode as string;
  const decisionId = v.decisionId as string;
  let reasons: unknown;
  if (v.facts != null) {
    const d = explainer.decision({
      creditCode,
      region: v.region as string,
      ruleset: v.ruleset as string,
      asOf: v.asOf as number,
      facts: v.facts as DecidedFacts,
    });
    if (decisionIdOf(d) !== decisionId)
      throw new GetihuError(
        'INVALID_INPUT',
        `decision ${decisionId}: its facts under ${String(v.ruleset)} give other reasons than it was made with`,
        { field: 'facts' },
      );
    reasons = d.reasons;
  } else reasons = JSON.parse(v.reasonsJson as string);
  return {
    creditCode,
    decisionId,
    region: v.region as string,
    ruleset: v.ruleset as string,
    asOf: formatIsoDate(v.asOf as number),
    type: v.type as string,
    label: v.label as string,
    mtyxBasicEligible: v.mtyxBasicEligible as boolean,
    runId: (v.runId as string | null) ?? null,
    reasons,
    sources: v.sources as string[],
  };
}

/** Renders support events' measures from the facts they carry, one matcher set per as-of date. */
class SupportRenderer {
  readonly #book: CatalogueBook;
  readonly #byDate = new Map<number, Support>();

  constructor(book: CatalogueBook) {
    this.#book = book;
  }

  /**
   * The measures an event names, with their reasons, matched again from its facts in its catalogue
   * version; they must be the ones it names, in its order.
   * @throws GetihuError `INVALID_INPUT` (a dead letter) when they are not.
   */
  render(v: Record<string, unknown>): { measures: MatchedMeasure[]; ifRecognised: MatchedMeasure[] } {
    const asOf = v.asOf as number;
    let support = this.#byDate.get(asOf);
    if (support === undefined) {
      support = new Support(this.#book, asOf);
      this.#byDate.set(asOf, support);
    }
    const region = v.region as string;
    const creditCode = v.creditCode as string;
    const owed = support.supportFor(
      { creditCode, type: v.type as BusinessType, mtyxBasicEligible: v.mtyxBasicEligible as boolean },
      factsFromDecided(v.facts as DecidedFacts, creditCode, region),
      null,
    );
    const matcher = support.matcherFor(region);
    const same = (got: readonly MatchedMeasure[], named: unknown) =>
      Array.isArray(named) && got.length === named.length && got.every((m, i) => matcher.positionOf(m.id) === named[i]);
    if (owed.catalogue !== v.catalogue || !same(owed.measures, v.measures) || !same(owed.ifRecognised, v.ifRecognised))
      throw new GetihuError(
        'INVALID_INPUT',
        `support of decision ${String(v.decisionId)}: its facts in ${owed.catalogue} match other measures than it names (${String(v.catalogue)})`,
        { field: 'measures' },
      );
    return { measures: [...owed.measures], ifRecognised: [...owed.ifRecognised] };
  }
}

/**
 * The store's row of a support event: its measures rendered from the facts it carries (v2), or
 * as the JSON a v1 event carried.
 */
function supportRowOf(v: Record<string, unknown>, renderer: () => SupportRenderer): SupportOwedRow {
  const given =
    v.facts != null
      ? renderer().render(v)
      : {
          measures: JSON.parse(v.measuresJson as string) as Record<string, unknown>[],
          ifRecognised: JSON.parse(v.ifRecognisedJson as string) as Record<string, unknown>[],
        };
  return {
    creditCode: v.creditCode as string,
    decisionId: v.decisionId as string,
    region: v.region as string,
    asOf: formatIsoDate(v.asOf as number),
    type: v.type as string,
    mtyxBasicEligible: v.mtyxBasicEligible as boolean,
    catalogue: v.catalogue as string,
    runId: (v.runId as string | null) ?? null,
    measures: given.measures as unknown as Record<string, unknown>[],
    ifRecognised: given.ifRecognised as unknown as Record<string, unknown>[],
  };
}

function runRowOf(v: Record<string, unknown>): RunRecord {
  return {
    runId: v.runId as string,
    area: v.area as string,
    asOf: formatIsoDate(v.asOf as number),
    ruleset: v.ruleset as string,
    snapshot: JSON.parse(v.snapshotJson as string),
    counts: JSON.parse(v.countsJson as string),
    status: 'complete',
  };
}

/** A badge event's change to a recognition (an `active` event changes nothing stored). */
function badgeChangesOf(v: Record<string, unknown>): RecognitionChange[] {
  if (v.status === 'active') return [];
  const change = {
    creditCode: v.creditCode as string,
    status: v.status as RecognitionChange['status'],
    category: v.category as string,
    validUntil: formatIsoDate(v.validUntil as number),
    changedOn: formatIsoDate(v.changedOn as number),
    reason: v.reason as string,
  };
  return [{ eventId: badgeEventId(change), ...change }];
}

function businessRowOf(v: Record<string, unknown>): BusinessRow {
  return {
    creditCode: v.creditCode as string,
    name: (v.name as string | null) ?? null,
    region: v.regionCode as string,
    operatorId: (v.operatorId as string | null) ?? null,
  };
}

const isoDay = (v: unknown): string | null => (v == null ? null : formatIsoDate(v as number));

/** The store's row of an application fact (day numbers as ISO dates). */
function applicationRowOf(v: Record<string, unknown>): ApplicationRow {
  return {
    creditCode: v.creditCode as string,
    year: v.year as number,
    route: v.route as ApplicationRow['route'],
    category: (v.category as string | null) ?? null,
    submittedOn: isoDay(v.submittedOn),
    recommender: (v.recommender as string | null) ?? null,
  };
}

/** The store's row of a review-step fact (day numbers as ISO dates). */
function reviewStepRowOf(v: Record<string, unknown>): ReviewStepRow {
  return {
    creditCode: v.creditCode as string,
    year: v.year as number,
    step: v.step as ReviewStepRow['step'],
    stepId: v.stepId as string,
    on: isoDay(v.on) as string,
    until: isoDay(v.until),
    outcome: v.outcome as string,
    actor: v.actor as string,
    note: (v.note as string | null) ?? null,
  };
}

/** A running sink. */
export interface Sink {
  /** Resolves once everything written to its topics so far is in the store. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the sink as a member of `group`: by default the deployment's own (`<prefix>.getihu-sink`),
 * so that deployments on one broker under different prefixes never share a group.
 */
export async function startSink(ctx: PipelineContext, store: Store, group = prefixedGroup(ctx, 'getihu-sink')): Promise<Sink> {
  const typing = topicName(ctx, 'typing');
  const run = topicName(ctx, 'run');
  const registration = topicName(ctx, 'registration');
  const mtyx = topicName(ctx, 'mtyx');
  const badge = topicName(ctx, 'badge');
  const support = topicName(ctx, 'support');
  const application = topicName(ctx, 'application');
  const reviewStep = topicName(ctx, 'reviewStep');
  const topics = [typing, run, registration, mtyx, badge, support, application, reviewStep];
  const dead = new DeadLetterer(ctx, 'sink');
  const explainer = new Explainer(ctx.ruleBook);
  // The measure catalogues, loaded when the first support event of facts arrives.
  let renderer: SupportRenderer | undefined;
  const supportRenderer = () => {
    renderer ??= new SupportRenderer(loadCatalogueBook(ctx.config.rulesDir ?? undefined));
    return renderer;
  };
  // Each topic: how one value becomes its rows, and how a batch of rows is written.
  const writers = new Map<string, TopicWriter>([
    [typing, { rows: (v) => [decisionRowOf(v, explainer)], write: (rows) => store.applyDecisions(rows as StoredDecision[]) }],
    [
      run,
      {
        rows: (v) => [runRowOf(v)],
        write: async (rows) => {
          for (const row of rows as RunRecord[]) await store.recordRun(row);
        },
      },
    ],
    [
      mtyx,
      {
        rows: (v) => [{ outcome: roundOutcomeRowOf(v), recognition: recognitionRowOf(v) }],
        write: async (rows) => {
          const list = rows as {
            outcome: ReturnType<typeof roundOutcomeRowOf>;
            recognition: ReturnType<typeof recognitionRowOf>;
          }[];
          await store.recordRoundOutcomes(list.map((x) => x.outcome));
          await store.upsertRecognitions(list.flatMap((x) => (x.recognition === null ? [] : [x.recognition])));
        },
      },
    ],
    [badge, { rows: (v) => badgeChangesOf(v), write: (rows) => store.recordRecognitionChanges(rows as RecognitionChange[]) }],
    [registration, { rows: (v) => [businessRowOf(v)], write: (rows) => store.upsertBusinesses(rows as BusinessRow[]) }],
    [
      application,
      { rows: (v) => [applicationRowOf(v)], write: (rows) => store.candidates.applyApplications(rows as ApplicationRow[]) },
    ],
    [
      reviewStep,
      { rows: (v) => [reviewStepRowOf(v)], write: (rows) => store.candidates.applyReviewSteps(rows as ReviewStepRow[]) },
    ],
    [
      support,
      { rows: (v) => [supportRowOf(v, supportRenderer)], write: (rows) => store.support.apply(rows as SupportOwedRow[]) },
    ],
  ]);
  const sub = await ctx.bus.subscribe(group, topics, async (records) => {
    const writer = writers.get(records[0]?.topic ?? '');
    if (writer === undefined) return;
    const rows: { record: InRecord; rows: unknown[] }[] = [];
    await dead.each(records, (record, v) => {
      rows.push({ record, rows: writer.rows(v) });
    });
    try {
      await writer.write(rows.flatMap((x) => x.rows));
    } catch (err) {
      if (!isPoison(err)) {
        log.warn({ topic: records[0]?.topic, err: (err as Error).message }, 'the store is unavailable; the batch is tried again');
        throw err;
      }
      // One record's rows the store refuses: write record by record, and set aside the ones refused.
      for (const x of rows) {
        try {
          await writer.write(x.rows);
        } catch (e) {
          await dead.setAside(x.record, e);
        }
      }
    }
  });
  return {
    caughtUp: (timeoutMs = 60_000) => waitCaughtUp(ctx.bus, [{ group, topics }], 'the sink', timeoutMs),
    stop: () => sub.stop(),
  };
}
