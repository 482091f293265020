/**
 * `npm run bench -- classify [--businesses N] [--region R] [--seed S] [--cli-businesses M] [--json]`
 *
 * Lanes, in one run over the same generated businesses held in memory:
 *   core    the decision core's fast path (TypingEngine.typeOf), one thread;
 *   duckdb  DuckDB computing the same types with one SQL query over the same data (its own threads);
 *   cli     `classify` end to end on a JSONL file (parse, validate, decide, write), on the pool's
 *           threads, with `--reasons none` and with all reasons;
 *   duckdb JSONL  DuckDB on the same file: read_json, type with the same rules, write JSON lines
 *           (the baseline the command is measured against: goal ≥ 0.5 with `--reasons none`).
 * Loading is outside the timed part of both in-memory lanes. Each timed lane runs once to warm
 * up and then `--repeat` times; the best run counts. The per-type counts of core and DuckDB
 * must agree, or the benchmark fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import {
  asOfContext,
  type BusinessFacts,
  compileTyping,
  normaliseFacts,
  RuleBook,
  TYPE_BY_CODE,
  TYPE_LABELS,
} from '../matchers/index.js';
import { FACT_COLUMNS, factsFromJsonlSql, typingCaseSql } from './typingSql.js';

interface Options {
  businesses: number;
  region: string;
  seed: number;
  cliBusinesses: number;
  repeat: number;
  json: boolean;
}

const STATUS = { active: 0, revoked: 1, cancelled: 2, withdrawn: 3 } as const;

function bestOf(repeat: number, run: () => void | Promise<void>): Promise<number> {
  return (async () => {
    await run();
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < repeat; i++) {
      const t = process.hrtime.bigint();
      await run();
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    return best;
  })();
}

/** Runs the classify benchmark and returns its figures. */
export async function benchClassify(o: Options): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const asOf = parseIsoDate('2025-08-15');
  const ctx = asOfContext(asOf);
  log(`generating ${o.businesses} businesses of ${o.region} (seed ${o.seed})…`);
  const facts: BusinessFacts[] = new Array(o.businesses);
  let i = 0;
  for (const raw of generateBusinesses({ region: o.region, businesses: o.businesses, seed: o.seed, asOf }))
    facts[i++] = normaliseFacts(raw);
  const book = RuleBook.load();
  const region =
    o.region === 'beijing' || o.region.startsWith('11')
      ? 'beijing'
      : o.region === 'hebei' || o.region.startsWith('13')
        ? 'hebei'
        : 'tianjin';
  const rs = book.inForce(region, asOf);
  const engine = compileTyping(rs);

  // core
  const coreCounts = [0, 0, 0, 0];
  const coreSeconds = await bestOf(o.repeat, () => {
    coreCounts.fill(0);
    for (let k = 0; k < facts.length; k++) (coreCounts[engine.typeOf(facts[k] as BusinessFacts, ctx)] as number)++;
  });

  // duckdb
  log('loading DuckDB…');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`create table facts (${FACT_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  const app = await con.createAppender('facts');
  const int = (n: number) => (Number.isNaN(n) ? app.appendNull() : app.appendInteger(n));
  for (const f of facts) {
    if (f.status === null) app.appendNull();
    else app.appendTinyInt(STATUS[f.status]);
    int(f.establishedOn);
    app.appendBoolean(f.seasonal);
    int(f.suspendedUntil);
    int(f.reportYear);
    app.appendBoolean(f.reportFiled);
    if (Number.isNaN(f.revenueFen)) app.appendNull();
    else app.appendDouble(f.revenueFen);
    app.appendBoolean(f.abnormalOperation);
    app.appendBoolean(f.seriousIllegal);
    int(f.taxRegisteredOn);
    app.appendBoolean(f.taxNonNormal);
    app.appendBoolean(f.generalTaxpayer);
    app.appendDouble(f.vatPaidFen);
    app.appendDouble(f.iitPaidFen);
    app.appendInteger(f.insuredHeadcount);
    app.appendInteger(f.trademarksInUse);
    app.appendInteger(f.patents);
    app.endRow();
  }
  app.closeSync();
  const sql = `select t, count(*)::INTEGER as n from (select ${typingCaseSql(rs, ctx)} as t from facts) group by t order by t`;
  const threads = Number((await con.runAndReadAll("select current_setting('threads')")).getRows()[0]?.[0]);
  const duckCounts = [0, 0, 0, 0];
  const duckSeconds = await bestOf(o.repeat, async () => {
    const rows = (await con.runAndReadAll(sql)).getRows();
    duckCounts.fill(0);
    for (const [t, n] of rows) duckCounts[Number(t)] = Number(n);
  });
  con.closeSync();
  if (coreCounts.join() !== duckCounts.join()) {
    throw new Error(`core and DuckDB disagree: core ${coreCounts.join('/')} vs DuckDB ${duckCounts.join('/')}`);
  }

  // cli end to end
  const dir = mkdtempSync(join(tmpdir(), 'getihu-bench-'));
  let cli: Record<string, unknown> = {};
  try {
    const file = join(dir, 'businesses.jsonl');
    const n = Math.min(o.cliBusinesses, o.businesses);
    log(`writing ${n} lines for the CLI lane…`);
    const lines: string[] = [];
    for (const raw of generateBusinesses({ region: o.region, businesses: n, seed: o.seed, asOf }))
      lines.push(JSON.stringify(raw));
    writeFileSync(file, `${lines.join('\n')}\n`);
    // The command, without reasons and with them: each writes one JSON line per input line.
    const cliLane = (reasons: 'none' | 'all') => {
      const out = join(dir, `cli-${reasons}.jsonl`);
      const t = process.hrtime.bigint();
      const r = spawnSync(
        'sh',
        [
          '-c',
          `"${process.execPath}" --import tsx app/cli.ts classify --as-of 2025-08-15 --reasons ${reasons} --input "${file}" > "${out}"`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
      );
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      if (r.status !== 0) throw new Error(`classify exited ${r.status}: ${r.stderr}`);
      return { seconds, businessesPerSecond: Math.round(n / seconds), out };
    };
    log('cli lanes…');
    const none = cliLane('none');
    const all = cliLane('all');
    // DuckDB on the same file: read the JSON lines, type them with the same rules, write JSON lines.
    log('DuckDB JSONL lane…');
    const duckOut = join(dir, 'duckdb.jsonl');
    const labels = Object.entries(TYPE_LABELS);
    const typeName = `case t ${TYPE_BY_CODE.map((name, k) => `when ${k} then '${name}'`).join(' ')} end`;
    const label = `case type ${labels.map(([k, l]) => `when '${k}' then '${l}'`).join(' ')} end`;
    const jsonlSql = `copy (
        select creditCode, region, '${rs.ref}' as ruleset, '2025-08-15' as asOf, type, ${label} as label
        from (select creditCode, region, ${typeName} as type from (select *, ${typingCaseSql(rs, ctx)} as t from (${factsFromJsonlSql(file)})))
      ) to '${duckOut}' (format json)`;
    const jsonlDb = await DuckDBInstance.create(':memory:');
    const jsonlCon = await jsonlDb.connect();
    const tDuck = process.hrtime.bigint();
    await jsonlCon.run(jsonlSql);
    const duckJsonlSeconds = Number(process.hrtime.bigint() - tDuck) / 1e9;
    jsonlCon.closeSync();
    // Both lanes must type the file alike.
    const countTypes = (path: string) => {
      const c: Record<string, number> = {};
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const m = /"type":"([a-z]+)"/.exec(line);
        if (m !== null) c[m[1] as string] = (c[m[1] as string] ?? 0) + 1;
      }
      return JSON.stringify(Object.entries(c).sort());
    };
    if (countTypes(none.out) !== countTypes(duckOut))
      throw new Error(`the command and DuckDB type the file differently: ${countTypes(none.out)} vs ${countTypes(duckOut)}`);
    const duckJsonlRate = n / duckJsonlSeconds;
    cli = {
      businesses: n,
      seconds: none.seconds,
      businessesPerSecond: none.businessesPerSecond,
      withReasons: { seconds: all.seconds, businessesPerSecond: all.businessesPerSecond },
      duckdbJsonl: { seconds: duckJsonlSeconds, businessesPerSecond: Math.round(duckJsonlRate) },
      ratioToDuckdbJsonl: Number((none.businessesPerSecond / duckJsonlRate).toFixed(3)),
      goal: 0.5,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const coreRate = o.businesses / coreSeconds;
  const duckRate = o.businesses / duckSeconds;
  const counts = Object.fromEntries(coreCounts.map((n, k) => [TYPE_BY_CODE[k] as string, n]));
  return {
    bench: 'classify',
    businesses: o.businesses,
    region: o.region,
    ruleset: rs.ref,
    counts,
    core: { seconds: coreSeconds, businessesPerSecond: Math.round(coreRate), threads: 1 },
    duckdb: { seconds: duckSeconds, businessesPerSecond: Math.round(duckRate), threads },
    ratio: Number((coreRate / duckRate).toFixed(3)),
    goal: 0.5,
    cli,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Parses this lane's arguments. */
export function classifyOptions(args: Map<string, string | true>): Options {
  const num = (k: string, d: number) => {
    const v = args.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${k}: a positive whole number, got '${String(v)}'`);
    return n;
  };
  return {
    businesses: num('businesses', 1_000_000),
    region: typeof args.get('region') === 'string' ? (args.get('region') as string) : 'tianjin',
    seed: num('seed', 2024),
    cliBusinesses: num('cli-businesses', 200_000),
    repeat: num('repeat', 3),
    json: args.get('json') === true,
  };
}
