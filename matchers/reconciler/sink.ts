/**
 * The sink: decision events, run summaries and registrations into the serving store. A batch's
 * offsets are committed only after its rows are committed in the store, and every write is
 * idempotent (history keyed by decision id), so a replay changes nothing.
 */
import { formatIsoDate } from '../../lib/dates.js';
import type { RecognitionChange, Store, StoredDecision } from '../../lib/store/store.js';
import { badgeEventId } from './badges.js';
import { recognitionRowOf, roundOutcomeRowOf } from './ledger.js';
import type { PipelineContext } from './reconciler.js';
import { topicName, waitCaughtUp } from './reconciler.js';

/** A consumer group name of this deployment: the topic prefix in front, as topics have it. */
export function prefixedGroup(ctx: PipelineContext, group: string): string {
  return ctx.prefix === '' ? group : `${ctx.prefix}.${group}`;
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
  const topics = [typing, run, registration, mtyx, badge];
  const sub = await ctx.bus.subscribe(group, topics, async (records) => {
    try {
      const topic = records[0]?.topic;
      if (topic === typing) {
        const rows: StoredDecision[] = [];
        for (const r of records) {
          if (r.value === null) continue;
          const v = await ctx.codec.decode(typing, r.value);
          rows.push({
            creditCode: v.creditCode as string,
            decisionId: v.decisionId as string,
            region: v.region as string,
            ruleset: v.ruleset as string,
            asOf: formatIsoDate(v.asOf as number),
            type: v.type as string,
            label: v.label as string,
            mtyxBasicEligible: v.mtyxBasicEligible as boolean,
            runId: (v.runId as string | null) ?? null,
            reasons: JSON.parse(v.reasonsJson as string),
            sources: v.sources as string[],
          });
        }
        await store.applyDecisions(rows);
      } else if (topic === run) {
        for (const r of records) {
          if (r.value === null) continue;
          const v = await ctx.codec.decode(run, r.value);
          await store.recordRun({
            runId: v.runId as string,
            area: v.area as string,
            asOf: formatIsoDate(v.asOf as number),
            ruleset: v.ruleset as string,
            snapshot: JSON.parse(v.snapshotJson as string),
            counts: JSON.parse(v.countsJson as string),
            status: 'complete',
          });
        }
      } else if (topic === mtyx) {
        const rows = [];
        const outcomes = [];
        for (const r of records) {
          if (r.value === null) continue;
          const v = await ctx.codec.decode(mtyx, r.value);
          outcomes.push(roundOutcomeRowOf(v));
          const row = recognitionRowOf(v);
          if (row !== null) rows.push(row);
        }
        await store.recordRoundOutcomes(outcomes);
        await store.upsertRecognitions(rows);
      } else if (topic === badge) {
        const rows: RecognitionChange[] = [];
        for (const r of records) {
          if (r.value === null) continue;
          const v = await ctx.codec.decode(badge, r.value);
          if (v.status === 'active') continue;
          const change = {
            creditCode: v.creditCode as string,
            status: v.status as RecognitionChange['status'],
            category: v.category as string,
            validUntil: formatIsoDate(v.validUntil as number),
            changedOn: formatIsoDate(v.changedOn as number),
            reason: v.reason as string,
          };
          rows.push({ eventId: badgeEventId(change), ...change });
        }
        await store.recordRecognitionChanges(rows);
      } else if (topic === registration) {
        const rows = [];
        for (const r of records) {
          if (r.value === null) continue;
          const v = await ctx.codec.decode(registration, r.value);
          rows.push({
            creditCode: v.creditCode as string,
            name: (v.name as string | null) ?? null,
            region: v.regionCode as string,
            operatorId: (v.operatorId as string | null) ?? null,
          });
        }
        await store.upsertBusinesses(rows);
      }
    } catch (err) {
      process.stderr.write(`sink: a batch was not recorded: ${(err as Error)?.message ?? String(err)}\n`);
      throw err;
    }
  });
  return {
    caughtUp: (timeoutMs = 60_000) => waitCaughtUp(ctx.bus, [{ group, topics }], 'the sink', timeoutMs),
    stop: () => sub.stop(),
  };
}
