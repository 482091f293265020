/** Helpers for pipeline tests: an isolated pipeline per test, on the embedded bus or the real services. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openPipeline, type Pipeline } from '../app/index.js';
import { parseIsoDate } from '../lib/dates.js';
import { rawQuery } from '../lib/store/testing.js';
import { ALL_TOPICS, prefixed } from '../lib/topics.js';
import { Classifier, loadCatalogueBook, RuleBook, Support, type SupportResult, type TypingDecision } from '../matchers/index.js';
import { decisionIdOf } from './decide.js';
import { DecisionPool, runTyping } from './reconciler.js';
import { startSink } from './sink.js';

/**
 * Whether this test run has the real broker, registry and PostgreSQL: `npm run test:all` starts
 * them; `npm test` (GETIHU_INFRA=none) runs without any service and skips what needs one.
 */
export function withServices(): boolean {
  return inject('infra') !== undefined;
}

/** The CLI processes `spawnCli` started, for `killSpawned` to end. */
const spawned: ChildProcess[] = [];

/**
 * Runs `npm run cli -- <args>` as a process of its own on the real services, with the test's
 * topic prefix and store schema and `partitions` partitions per topic (and `env` over all that);
 * its standard error is kept (`err()`), for a failed expectation to show.
 */
export function spawnCli(
  args: readonly string[],
  prefix: string,
  partitions = 3,
  env: Readonly<Record<string, string>> = {},
): ChildProcess & { err: () => string } {
  const infra = inject('infra');
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
    env: {
      ...process.env,
      ...infra,
      GETIHU_TOPIC_PREFIX: prefix,
      GETIHU_DB_SCHEMA: prefix,
      GETIHU_PARTITIONS: String(partitions),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  child.stdout?.resume();
  spawned.push(child);
  return Object.assign(child, { err: () => err });
}

/** Kills (SIGKILL) every process `spawnCli` started that still runs: for a test's afterEach. */
export function killSpawned(): void {
  for (const c of spawned.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
}

/** Resolves with a process's exit code once it has exited. */
export const exited = (c: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

/** Polls `check` every 50 ms until it holds. @throws Error naming `what` after `ms`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The run modes this test run can exercise: embedded always, Kafka with the services. */
export const MODES: readonly ('embedded' | 'kafka')[] = withServices() ? ['embedded', 'kafka'] : ['embedded'];

/** A pipeline with its own topics (prefix) and store schema, so tests run side by side. */
export async function isolatedPipeline(mode: 'embedded' | 'kafka', partitions = 3): Promise<Pipeline & { prefix: string }> {
  const id = `t${randomBytes(5).toString('hex')}`;
  if (mode === 'embedded') return { ...(await openPipeline({ mode: 'embedded', partitions })), prefix: '' };
  const infra = inject('infra');
  const p = await openPipeline({
    mode: 'kafka',
    brokers: infra.KAFKA_BROKERS.split(','),
    registryUrl: infra.SCHEMA_REGISTRY_URL,
    databaseUrl: infra.DATABASE_URL,
    prefix: id,
    dbSchema: id,
    partitions,
  });
  // Taken down with the test: its topics deleted (a broker that restarts reloads every log it
  // holds, and a full run would otherwise leave thousands of partitions) and its store schema dropped.
  return {
    ...p,
    prefix: id,
    close: async () => {
      await p.ctx.bus.deleteTopics(ALL_TOPICS.map((t) => prefixed(id, t))).catch(() => undefined);
      await rawQuery(p.store, `drop schema if exists ${id} cascade`).catch(() => undefined);
      await p.close();
    },
  };
}

/** The golden business snapshots of the four regions (matchers/fixtures). */
export function goldenBusinesses(): Record<string, unknown>[] {
  const dir = join(import.meta.dirname, '..', 'matchers', 'fixtures');
  return ['beijing', 'tianjin', 'hebei', '440106'].flatMap((r) =>
    readFileSync(join(dir, `golden-${r}.input.jsonl`), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

/** What `classify` decides for each business, by credit code. */
export function classifyAll(businesses: readonly Record<string, unknown>[], asOf: string): Map<string, TypingDecision> {
  const c = new Classifier({ asOf: parseIsoDate(asOf), ruleBook: RuleBook.load() });
  return new Map(businesses.map((b) => [b.creditCode as string, c.classifyRecord(b)]));
}

/**
 * A check (for `waitUntil` or a loop of its own): the serving store holds one decision per business
 * of `expected` and each is the one `classify` made (`classifyAll`).
 */
export function storeHolds(p: Pipeline, expected: ReadonlyMap<string, TypingDecision>): () => Promise<boolean> {
  return async () => {
    const stored = await p.store.allDecisions();
    return (
      stored.length === expected.size &&
      stored.every((d) => {
        const want = expected.get(d.creditCode);
        return want !== undefined && d.decisionId === decisionIdOf(want);
      })
    );
  };
}

/** What `support` (the CLI) says each business is owed on `asOf`, by credit code: the measures the pipeline must store. */
export function supportAll(businesses: readonly Record<string, unknown>[], asOf: string): Map<string, SupportResult> {
  const day = parseIsoDate(asOf);
  const c = new Classifier({ asOf: day, ruleBook: RuleBook.load() });
  const s = new Support(loadCatalogueBook(), day);
  return new Map(
    businesses.map((b) => {
      const { decision, facts } = c.decideRecord(b);
      return [decision.creditCode, s.supportFor(decision, facts, null)];
    }),
  );
}

/**
 * A survival business that one more development criterion would turn into development: old
 * enough and tax-registered, so only its type criteria stand in the way. `before` bounds the
 * establishment date (YYYY-MM-DD).
 */
export function survivalReadyToGrow(
  businesses: readonly Record<string, unknown>[],
  expected: ReadonlyMap<string, TypingDecision>,
  before: string,
): Record<string, unknown> {
  const found = businesses.find(
    (b) =>
      expected.get(b.creditCode as string)?.type === 'survival' &&
      (b.tax as { registeredOn?: string } | undefined)?.registeredOn !== undefined &&
      String((b.registration as { establishedOn: string }).establishedOn) < before,
  );
  if (found === undefined) throw new Error('no survival business ready to grow in the sample');
  return found;
}

/**
 * Types an area as of a date through a run on an inline pool and waits until the sink has stored
 * every decision: what a test needs before it reads the store or the gateway.
 */
export async function typeAndStore(p: Pipeline, area: string, asOf: string): Promise<void> {
  const sink = await startSink(p.ctx, p.store);
  const pool = new DecisionPool(0);
  try {
    await runTyping(p.ctx, { area, asOf, pool });
    await sink.caughtUp();
  } finally {
    await pool.close();
    await sink.stop();
  }
}
