/**
 * `npm run bench -- scaleout [--businesses N] [--members 1,2,3] [--json]`, against the local Kafka,
 * registry and PostgreSQL (started if needed): continuous mode's throughput with several
 * `reconcile` processes sharing a 12-partition register.
 *
 * For each member count, a register of N businesses is ingested under a topic prefix of its own
 * (not timed); then that many `reconcile` processes start together, one consumer group, each with
 * a state folder of its own, and the seconds from their start until every business's decision is
 * on the decision topic give businesses/s. A last lane starts three members and kills one with
 * SIGKILL once a third of the decisions are out; the other two take its partitions and finish.
 *
 * After each lane every decision event on the topic is compared with the decision `classify` makes
 * of the same business: a member that decided a business differently from another (or from
 * classify) shows as a mismatch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestBusinesses } from '../app/index.js';
import { infraUp } from '../deploy/local/infra.js';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Classifier, RuleBook } from '../matchers/index.js';
import { decisionIdOf, topicName } from '../pipeline/index.js';
import { deleteTopicsWithPrefix, dropSchema, openBenchPipeline } from './cleanup.js';

const AS_OF = '2025-08-15';
const PARTITIONS = 12;
const log = (s: string) => process.stderr.write(`${s}\n`);

/** One lane: how many members, whether one was killed, and what they achieved. */
interface Lane {
  readonly members: number;
  readonly killed: boolean;
  readonly seconds: number;
  readonly businessesPerSecond: number;
  /** Decision events on the topic, and those that are not what classify decides of the business. */
  readonly events: number;
  readonly mismatches: number;
}

type Infra = Awaited<ReturnType<typeof infraUp>>;

/** Starts one `reconcile` process of `group` on the lane's prefix, with its own state folder. */
function member(infra: Infra, prefix: string, group: string, stateDir: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'app/cli.ts', 'reconcile', '--as-of', AS_OF, '--group', group, '--state-dir', stateDir],
    {
      env: {
        ...process.env,
        ...infra,
        GETIHU_TOPIC_PREFIX: prefix,
        GETIHU_DB_SCHEMA: prefix,
        GETIHU_PARTITIONS: String(PARTITIONS),
        GETIHU_LOG: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

const exited = (c: ChildProcess): Promise<void> =>
  new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

/** Runs one lane on a register of its own. */
async function lane(
  infra: Infra,
  register: readonly Record<string, unknown>[],
  expected: ReadonlyMap<string, string>,
  members: number,
  kill: boolean,
): Promise<Lane> {
  const prefix = `benchs${randomBytes(4).toString('hex')}`;
  const p = await openBenchPipeline(infra, prefix, prefix, PARTITIONS);
  const stateDir = mkdtempSync(join(tmpdir(), 'getihu-benchs-'));
  const running: ChildProcess[] = [];
  try {
    log(`${members} member(s)${kill ? ', one killed' : ''}: ingesting ${register.length} businesses…`);
    await ingestBusinesses(p.ctx, register, 2024, 'register');
    const typing = topicName(p.ctx, 'typing');
    const decided = async () => (await p.ctx.bus.endOffsets(typing)).reduce((a, b) => a + b, 0);
    const t0 = performance.now();
    for (let i = 0; i < members; i++) running.push(member(infra, prefix, `${prefix}.rec`, stateDir));
    let killed = !kill;
    for (;;) {
      const n = await decided();
      if (n >= register.length) break;
      if (!killed && n >= register.length / 3) {
        running[1]?.kill('SIGKILL');
        killed = true;
      }
      if (running.every((c) => c.exitCode !== null || c.signalCode !== null))
        throw new Error('every reconcile process has exited before the register was decided');
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    let events = 0;
    let mismatches = 0;
    for await (const batch of p.ctx.bus.readSnapshot(typing))
      for (const r of batch) {
        if (r.key === null || r.value === null) continue;
        events++;
        if ((await p.ctx.codec.decode(typing, r.value)).decisionId !== expected.get(r.key)) mismatches++;
      }
    return {
      members,
      killed: kill,
      seconds: Math.round(seconds * 10) / 10,
      businessesPerSecond: Math.round(register.length / seconds),
      events,
      mismatches,
    };
  } finally {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(running.map(exited));
    rmSync(stateDir, { recursive: true, force: true });
    await p.close();
    await deleteTopicsWithPrefix(infra.KAFKA_BROKERS.split(','), prefix);
    await dropSchema(infra.DATABASE_URL, prefix);
  }
}

/** Runs the scale-out benchmark: one lane per member count, then three members with one killed. */
export async function benchScaleout(businesses: number, memberCounts: readonly number[]): Promise<Record<string, unknown>> {
  const infra = await infraUp();
  const register = [...generateBusinesses({ region: 'tianjin', businesses, seed: 77 })];
  const classifier = new Classifier({ asOf: parseIsoDate(AS_OF), ruleBook: RuleBook.load() });
  const expected = new Map(register.map((b) => [b.creditCode as string, decisionIdOf(classifier.classifyRecord(b))]));
  const lanes: Lane[] = [];
  for (const m of memberCounts) lanes.push(await lane(infra, register, expected, m, false));
  lanes.push(await lane(infra, register, expected, 3, true));
  const one = lanes.find((l) => l.members === 1 && !l.killed);
  return {
    bench: 'scaleout',
    businesses,
    partitions: PARTITIONS,
    lanes,
    speedup: Object.fromEntries(
      lanes
        .filter((l) => !l.killed && one !== undefined)
        .map((l) => [l.members, Math.round((l.businessesPerSecond / (one as Lane).businessesPerSecond) * 100) / 100]),
    ),
  };
}
