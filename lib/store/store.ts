/**
 * The serving store: where decisions land for the gateway. One interface, two implementations
 * over the same SQL — PGlite (Postgres in WASM, embedded default) and PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { GetihuError, isGetihuError } from '../errors.js';
import { dependencyUp, logger } from '../observe/index.js';
import { areaPattern } from './areas.js';
import {
  type AuditEntry,
  type AuditInput,
  auditHeadOf,
  type ChainPlace,
  chainAudit,
  entriesAt,
  INSERT_AUDIT,
  READ_AUDIT_HEAD,
} from './auditChain.js';
import { MtyxCandidates } from './candidates.js';
import { Checkpoints } from './checkpoints.js';
import { Consents } from './consents.js';
import { Corrections } from './corrections.js';
import { Disputes } from './disputes.js';
import { Jobs } from './jobs.js';
import { MIGRATIONS } from './migrations.js';
import { Monitoring } from './monitoring.js';
import { PastWork } from './pastWork.js';
import type { WorkerReply, WorkerRequest } from './pgliteWorker.js';
import { Publication } from './publication.js';
import { RAW_SQL } from './rawSql.js';
import { SpotChecks } from './spotChecks.js';
import { dateText, jsonColumn, RECOGNITION_SELECT } from './sqlText.js';
import { SupportOwed } from './support.js';
import { Webhooks } from './webhooks.js';

/** A decision as stored. */
export interface StoredDecision {
  readonly creditCode: string;
  readonly decisionId: string;
  readonly region: string;
  readonly ruleset: string;
  /** YYYY-MM-DD: the as-of date, when the decision takes effect. */
  readonly asOf: string;
  readonly type: string;
  readonly label: string;
  readonly mtyxBasicEligible: boolean;
  readonly runId: string | null;
  readonly reasons: unknown;
  readonly sources: readonly string[];
}

/** What a bank's tags read of one business: its decision's tag columns and its recognition. */
export interface CreditTagsSnapshot {
  readonly tags: CreditTagsRow | null;
  readonly recognition: RecognitionRow | null;
}

/** A business's decision as a bank's tags read it (no reasons). */
export interface CreditTagsRow {
  readonly decisionId: string;
  readonly type: string;
  readonly label: string;
  readonly ruleset: string;
  /** YYYY-MM-DD */
  readonly asOf: string;
  readonly mtyxBasicEligible: boolean;
  /** Every basic-standard criterion (`basic.*`) met. */
  readonly basicStandardMet: boolean;
  /** `mtyx.penalty` met: no unrepaired fine-or-above penalty in the 2 years. */
  readonly noExcludingPenalty: boolean;
  /** `mtyx.court` met: the operator is not on the court's list of dishonest debtors. */
  readonly operatorNotOnCourtList: boolean;
}

/** A business in the register. */
export interface BusinessRow {
  readonly creditCode: string;
  readonly name: string | null;
  readonly region: string;
  readonly operatorId: string | null;
}

/** A recognition (名特优新) as stored. */
export interface RecognitionRow {
  readonly creditCode: string;
  readonly category: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly status: 'active' | 'revoked' | 'expired' | 'cancelled' | 'transferred';
  readonly roundId: string;
  readonly reason: string | null;
}

/** One outcome of a 名特优新 round for a business (its application's, or a renewal review's). */
export interface RoundOutcomeRow {
  readonly eventId: string;
  readonly creditCode: string;
  readonly roundId: string;
  readonly year: number;
  /** YYYY-MM-DD, or null in events older than the field. */
  readonly decidedOn: string | null;
  readonly outcome: string;
  readonly category: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly explanation: string;
  readonly reasons: unknown;
}

/** One yearly re-check of a recognition. */
export interface Recheck {
  readonly creditCode: string;
  /** YYYY-MM-DD. */
  readonly checkedOn: string;
  readonly outcome: 'kept' | 'cancelled' | 'expired';
  readonly reason: string;
  readonly reports: { readonly missing: readonly number[]; readonly late: readonly number[] };
}

/** The level above's review of a filed recognition (备案抽查). */
/** A revocation's note, kept for the regulators. */
export interface RevocationNote {
  readonly creditCode: string;
  /** YYYY-MM-DD */
  readonly revokedOn: string;
  readonly ground: string;
  readonly note: string;
  /** The regulator who revoked it (the token's subject). */
  readonly actor: string;
}

export interface FilingReview {
  readonly creditCode: string;
  readonly year: number;
  readonly outcome: 'confirmed' | 'supplement' | 'refused';
  /** YYYY-MM-DD. */
  readonly reviewedOn: string;
  /** The date by which more material is due (限期补充材料), for `supplement`. */
  readonly supplementBy: string | null;
  readonly actor: string;
  readonly note: string;
}

/** A change of a badge's status (expired, cancelled, revoked), from getihu.decision.badge. */
export interface RecognitionChange {
  readonly eventId: string;
  readonly creditCode: string;
  readonly status: RecognitionRow['status'];
  readonly category: string;
  readonly validUntil: string;
  /** YYYY-MM-DD. */
  readonly changedOn: string;
  readonly reason: string;
}

/** A regulator's job as stored. */
export interface JobRow {
  readonly id: string;
  readonly kind: string;
  readonly area: string;
  readonly subject: string;
  readonly params: unknown;
  readonly state: 'queued' | 'running' | 'succeeded' | 'failed';
  readonly progress: unknown;
  readonly result: unknown;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type { AuditEntry, AuditInput } from './auditChain.js';

/** A typing run. */
export interface RunRow {
  readonly runId: string;
  readonly area: string;
  readonly asOf: string;
  readonly ruleset: string;
  readonly snapshot: unknown;
  readonly counts: unknown;
  readonly status: 'started' | 'complete';
}

/** How the store's parts talk to the database (both drivers). */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /**
   * Chains and inserts audit entries where the chain's head is kept (the embedded store's thread);
   * absent where several processes append (PostgreSQL), see `Store.appendAuditBatch`.
   */
  appendAudit?(entries: readonly AuditInput[]): Promise<AuditEntry[]>;
  transaction<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The embedded store's folder exists (made if need be) and takes a write, or a clear error says
 * why not, with the path: a folder that cannot be written is a configuration error, a full disk
 * is an outage (it may be freed).
 */
function checkWritable(dir: string): void {
  const fail = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GetihuError(
      code === 'ENOSPC' ? 'UNAVAILABLE' : 'INVALID_CONFIG',
      `the embedded store's folder ${dir} cannot be written (${code ?? (err as Error).message})${diskNote(dir)}`,
      { path: dir },
      { cause: err },
    );
  };
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsConstants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, 'getihu');
    rmSync(probe, { force: true });
  } catch (err) {
    fail(err);
  }
}

/** The free space of a folder's disk, as a note for an error message. */
function diskNote(dir: string | undefined): string {
  if (dir === undefined) return '';
  try {
    const st = statfsSync(dir);
    const free = st.bavail * st.bsize;
    return `; ${(free / 1024 / 1024).toFixed(1)} MiB free there${free < 16 * 1024 * 1024 ? ' (is the disk full?)' : ''}`;
  } catch {
    return '';
  }
}

/**
 * PGlite on its own worker thread (lib/store/pgliteWorker.ts). Statements are sent as they come
 * (the worker runs them in order); while a transaction is open, statements from outside it wait
 * and are sent after its commit or rollback, so nothing slips into another caller's transaction.
 * The worker keeps the process alive only while a statement is outstanding.
 */
async function pgliteWorkerSql(dataDir: string | undefined, timeoutMs: number): Promise<Sql> {
  if (dataDir !== undefined) checkWritable(dataDir);
  const where = dataDir === undefined ? 'the embedded store (in memory)' : `the embedded store at ${dataDir}`;
  const worker = new Worker(new URL('./threadEntry.mjs', import.meta.url), {
    workerData: { entry: new URL('./pgliteWorker.ts', import.meta.url).href, dataDir },
  });
  const pending = new Map<number, { resolve: (rows: never[]) => void; reject: (err: unknown) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  const settle = (r: WorkerReply) => {
    const p = pending.get(r.id);
    if (p === undefined) return;
    pending.delete(r.id);
    if (pending.size === 0) worker.unref();
    if ('error' in r)
      p.reject(
        /ENOSPC|EROFS|EACCES|no space left|read-only file system/i.test(r.error.message)
          ? new GetihuError('UNAVAILABLE', `${where} cannot write: ${r.error.message}${diskNote(dataDir)}`)
          : Object.assign(new Error(r.error.message), r.error.code === undefined ? {} : { code: r.error.code }),
      );
    else p.resolve(r.rows as never[]);
  };
  const fail = (err: unknown) => {
    failed = err instanceof Error ? err : new Error(String(err));
    for (const p of pending.values()) p.reject(failed);
    pending.clear();
  };
  // Every request has an end: a store that stops answering (a full disk can make a write wait
  // forever) fails the request with an error that names the folder and its free space.
  const request = (
    m: { op: 'query'; text: string; params: unknown[] } | { op: 'appendAudit'; entries: readonly AuditInput[] } | { op: 'close' },
  ): Promise<never[]> =>
    new Promise((resolve, reject) => {
      if (failed !== undefined) return reject(failed);
      const id = nextId++;
      const timer = setTimeout(() => {
        if (!pending.delete(id)) return;
        if (pending.size === 0) worker.unref();
        reject(new GetihuError('TIMEOUT', `${where} did not answer within ${timeoutMs / 1000} s${diskNote(dataDir)}`));
      }, timeoutMs);
      timer.unref();
      pending.set(id, {
        resolve: (rows) => {
          clearTimeout(timer);
          resolve(rows);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      worker.ref();
      worker.postMessage({ id, ...m } satisfies WorkerRequest);
    });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', async (err) => {
      // Nothing of a store that could not open stays behind (its thread holds files of the folder).
      await worker.terminate().catch(() => undefined);
      reject(
        new GetihuError('UNAVAILABLE', `${where} cannot be opened: ${err.message}${diskNote(dataDir)}`, undefined, {
          cause: err,
        }),
      );
    });
  });
  worker.on('message', settle);
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new GetihuError('UNAVAILABLE', `the embedded store's thread ended (exit ${code})`)));
  worker.unref();

  const send = (text: string, params?: unknown[]) => request({ op: 'query', text, params: params ?? [] });
  let inTransaction = false;
  const held: (() => void)[] = [];
  let transactions: Promise<unknown> = Promise.resolve();
  const inside: Sql = {
    query: async (text, params) => ({ rows: await send(text, params) }),
    transaction: (fn) => fn(inside),
    close: async () => undefined,
  };
  return {
    appendAudit: (entries) => {
      // The store's thread answers where the batch landed in the chain (see ChainPlace).
      const go = () =>
        request({ op: 'appendAudit', entries }).then((places: ChainPlace[]) =>
          places.length === 0 ? [] : entriesAt(entries, places[0] as ChainPlace),
        );
      return inTransaction ? new Promise((resolve, reject) => held.push(() => go().then(resolve, reject))) : go();
    },
    query: (text, params) =>
      inTransaction
        ? new Promise((resolve, reject) => held.push(() => send(text, params).then((rows) => resolve({ rows }), reject)))
        : send(text, params).then((rows) => ({ rows })),
    transaction: (fn) => {
      const run = transactions.then(async () => {
        inTransaction = true;
        try {
          await send('begin');
          const r = await fn(inside);
          await send('commit');
          return r;
        } catch (err) {
          await send('rollback').catch(() => undefined);
          throw err;
        } finally {
          inTransaction = false;
          for (const go of held.splice(0)) go();
        }
      });
      transactions = run.catch(() => undefined);
      return run;
    },
    close: async () => {
      await transactions;
      await request({ op: 'close' }).catch(() => undefined);
      worker.removeAllListeners('exit');
      failed ??= new GetihuError('UNAVAILABLE', 'the embedded store is closed');
      await worker.terminate();
    },
  };
}

/** SQLSTATE classes and codes, and socket errors, that mean the server is out of reach, not the statement wrong. */
const PG_UNREACHABLE = /^(08|57P0[1-3]|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)/;

/**
 * A PostgreSQL failure as the one error family: the server out of reach (refused, reset, shut
 * down, restarting, a connection or query that timed out) is `UNAVAILABLE`, so callers wait it
 * out and the gateway answers 503; anything else is the statement's own error, thrown as it is.
 */
export function storeError(err: unknown): unknown {
  if (err instanceof GetihuError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (
    (e.code !== undefined && PG_UNREACHABLE.test(e.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connect ECONNREFUSED/i.test(
      message,
    )
  ) {
    dependencyUp.set({ dependency: 'store' }, 0);
    return new GetihuError('UNAVAILABLE', `the store (PostgreSQL) is unavailable: ${message}`, undefined, { cause: err });
  }
  return err;
}

const pgLog = logger('store');

function postgresSql(pool: pg.Pool, client?: pg.PoolClient): Sql {
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      const r = await fn();
      dependencyUp.set({ dependency: 'store' }, 1);
      return r;
    } catch (err) {
      throw storeError(err);
    }
  };
  return {
    query: (text, params) => call(async () => (await (client ?? pool).query(text, params)) as unknown as { rows: never[] }),
    transaction: async (fn) => {
      const c = await call(() => pool.connect());
      // A checked-out connection that breaks emits 'error' on itself, not on the pool: without
      // a listener the process would crash; the statement under way fails and is reported.
      const onError = (err: Error) => pgLog.warn({ err: err.message }, 'a store connection in a transaction broke');
      c.on('error', onError);
      let broken: unknown;
      try {
        await call(() => c.query('begin'));
        const r = await fn(postgresSql(pool, c));
        await call(() => c.query('commit'));
        return r;
      } catch (err) {
        broken = err;
        await c.query('rollback').catch(() => undefined);
        throw storeError(err);
      } finally {
        c.off('error', onError);
        // A connection that failed is not given back to be used again.
        c.release(broken !== undefined && isGetihuError(storeError(broken), 'UNAVAILABLE') ? true : undefined);
      }
    },
    close: async () => {
      if (client === undefined) await pool.end();
    },
  };
}

function toDecision(r: Record<string, unknown>): StoredDecision {
  return {
    creditCode: r.credit_code as string,
    decisionId: r.decision_id as string,
    region: r.region as string,
    ruleset: r.ruleset as string,
    asOf: dateText(r.as_of ?? r.effective_from),
    type: r.type as string,
    label: r.label as string,
    mtyxBasicEligible: r.mtyx_basic_eligible as boolean,
    runId: (r.run_id as string | null) ?? null,
    reasons: r.reasons,
    sources: r.sources as string[],
  };
}

/** A round outcome from its row (dates selected as text). */
function toRoundOutcome(r: Record<string, unknown>): RoundOutcomeRow {
  return {
    eventId: r.event_id as string,
    creditCode: r.credit_code as string,
    roundId: r.round_id as string,
    year: Number(r.year),
    decidedOn: (r.decided_on as string | null) ?? null,
    outcome: r.outcome as string,
    category: (r.category as string | null) ?? null,
    validFrom: (r.valid_from as string | null) ?? null,
    validUntil: (r.valid_until as string | null) ?? null,
    explanation: r.explanation as string,
    reasons: r.reasons ?? null,
  };
}

/** A filing review from its row (dates selected as text). */
function toFilingReview(f: Record<string, unknown>): FilingReview {
  return {
    creditCode: f.credit_code as string,
    year: Number(f.year),
    outcome: f.outcome as FilingReview['outcome'],
    reviewedOn: f.reviewed_on as string,
    supplementBy: (f.supplement_by as string | null) ?? null,
    actor: f.actor as string,
    note: f.note as string,
  };
}

function toRecognition(r: Record<string, unknown>): RecognitionRow {
  return {
    creditCode: r.credit_code as string,
    category: r.category as string,
    validFrom: dateText(r.valid_from),
    validUntil: dateText(r.valid_until),
    status: r.effective_status as RecognitionRow['status'],
    roundId: r.round_id as string,
    reason: (r.effective_reason as string | null) ?? null,
  };
}

function toAuditEntry(r: Record<string, unknown>): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at instanceof Date ? r.at.toISOString() : String(r.at),
    subject: r.subject as string,
    role: r.role as string,
    action: r.action as string,
    purpose: (r.purpose as string | null) ?? null,
    creditCode: (r.credit_code as string | null) ?? null,
    outcome: r.outcome as string,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/** The serving store. */
export class Store {
  readonly kind: 'pglite' | 'postgres';
  readonly #sql: Sql;
  /** Banks' authorisations by the businesses (lib/store/consents.ts). */
  readonly consents: Consents;
  /** Signed checkpoints of the audit chain's head (lib/store/checkpoints.ts). */
  readonly checkpoints: Checkpoints;
  /** What each business is owed by its current decision, 精准帮扶 (lib/store/support.ts). */
  readonly support: SupportOwed;
  /** The year's 双随机、一公开 draws (lib/store/spotChecks.ts). */
  readonly spotChecks: SpotChecks;
  /** The 监测分析 series (lib/store/monitoring.ts). */
  readonly monitoring: Monitoring;
  /** What changed about the businesses a caller read (lib/store/corrections.ts). */
  readonly corrections: Corrections;
  /** Banks' correction webhooks (lib/store/webhooks.ts). */
  readonly webhooks: Webhooks;
  /** Disputes (lib/store/disputes.ts). */
  readonly disputes: Disputes;
  /** Regulators' jobs and their leases (lib/store/jobs.ts). */
  readonly jobs: Jobs;
  /** The year's 名特优新 applications and their review steps (lib/store/candidates.ts). */
  readonly candidates: MtyxCandidates;
  /** Objections to candidates under notice, and the register for the 名录 (lib/store/publication.ts). */
  readonly publication: Publication;
  /** Past runs and rounds of an area (lib/store/pastWork.ts). */
  readonly past: PastWork;

  private constructor(kind: 'pglite' | 'postgres', sql: Sql) {
    this.kind = kind;
    this.#sql = sql;
    this.consents = new Consents(sql);
    this.checkpoints = new Checkpoints(sql);
    this.support = new SupportOwed(sql);
    this.spotChecks = new SpotChecks(sql);
    this.monitoring = new Monitoring(sql);
    this.corrections = new Corrections(sql);
    this.webhooks = new Webhooks(sql);
    this.disputes = new Disputes(sql);
    this.candidates = new MtyxCandidates(sql);
    this.publication = new Publication(sql);
    this.past = new PastWork(sql);
    this.jobs = new Jobs(sql);
  }

  /**
   * PGlite in memory, or in `dataDir` when given. A request the store does not answer within
   * `timeoutMs` fails with `TIMEOUT` (default 60 s, `GETIHU_STORE_TIMEOUT_MS`).
   */
  static async pglite(dataDir?: string, timeoutMs = Number(process.env.GETIHU_STORE_TIMEOUT_MS ?? 60_000)): Promise<Store> {
    const store = new Store('pglite', await pgliteWorkerSql(dataDir, timeoutMs));
    await store.migrate();
    return store;
  }

  /** PostgreSQL at `url`; `schema` isolates tenants and tests on one database. */
  static async postgres(url: string, schema?: string): Promise<Store> {
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new GetihuError('INVALID_ARGUMENT', `schema: '${schema}' is not a plain identifier`);
    const pool = new pg.Pool({
      connectionString: url,
      // A DATE is read as its text, YYYY-MM-DD (node-pg would make it local midnight: under
      // TZ=Asia/Shanghai '2025-08-15' would read back as 2025-08-14 in UTC).
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
      max: 4,
      // Every wait has an end: a connection within 5 s, a statement's answer within 2 minutes.
      connectionTimeoutMillis: 5000,
      query_timeout: 120_000,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection the server drops (a restart) is reported here; the pool makes a new
    // one for the next statement, so the store comes back by itself.
    pool.on('error', (err) => {
      dependencyUp.set({ dependency: 'store' }, 0);
      pgLog.warn({ err: err.message }, 'an idle store connection broke; the next statement reconnects');
    });
    const sql = postgresSql(pool);
    try {
      const store = new Store('postgres', sql);
      await store.migrate(schema);
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Applies the migrations not yet applied (creating `schema` first when named), all in one
   * transaction under an advisory lock: processes that start at once on a new schema wait for
   * each other instead of racing to create the same tables.
   */
  async migrate(schema?: string): Promise<void> {
    await this.#sql.transaction(async (q) => {
      await q.query("select pg_advisory_xact_lock(hashtext('getihu.migrate.' || $1))", [schema ?? 'public']);
      if (schema !== undefined) await q.query(`create schema if not exists ${schema}`);
      await q.query(
        'create table if not exists schema_migrations (version int primary key, applied_at timestamptz not null default now())',
      );
      const done = new Set(
        (await q.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const stmt of m.sql
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== ''))
          await q.query(stmt);
        await q.query('insert into schema_migrations (version) values ($1)', [m.version]);
      }
    });
  }

  /**
   * Records decisions in the order they were published: each one that changes a business's
   * current decision becomes it and is added to its history (where the correction feeds read
   * it). Results are ordered by when they were published, not by their as-of date, so a
   * corrective run replaces a wrong one whatever dates either names; a decision equal to the
   * current one changes nothing, so a replayed batch ends where it ended before (a business with
   * two decisions in the batch has both recorded again, in the same order).
   *
   * A human decision outranks a machine one: a dispute adjustment (run id `dispute:…`) stays the
   * current decision until a decision on other facts — another as-of date, or other source
   * records — or a new adjustment replaces it; a run on the same facts does not.
   */
  async applyDecisions(decisions: readonly StoredDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const params = (list: readonly StoredDecision[]) => [
      list.map((d) => d.creditCode),
      list.map((d) => d.decisionId),
      list.map((d) => d.region),
      list.map((d) => d.ruleset),
      list.map((d) => d.asOf),
      list.map((d) => d.type),
      list.map((d) => d.label),
      list.map((d) => d.mtyxBasicEligible),
      list.map((d) => d.runId),
      list.map((d) => JSON.stringify(d.reasons)),
      list.map((d) => JSON.stringify(d.sources)),
    ];
    const rows = `select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::boolean[], $9::text[], $10::jsonb[], $11::jsonb[])
      as t(credit_code, decision_id, region, ruleset, as_of, type, label, mtyx_basic_eligible, run_id, reasons, sources)`;
    // A batch may hold two decisions of one business (a decision and its adjustment): the n-th
    // of each business is applied after the (n-1)-th, so each is weighed against the one before.
    const waves: StoredDecision[][] = [];
    const seen = new Map<string, number>();
    for (const d of decisions) {
      const n = seen.get(d.creditCode) ?? 0;
      seen.set(d.creditCode, n + 1);
      const wave = waves[n];
      if (wave === undefined) waves.push([d]);
      else wave.push(d);
    }
    await this.#sql.transaction(async (q) => {
      for (const wave of waves)
        await q.query(
          `with incoming as (${rows}),
           changed as (
             insert into decisions (credit_code, decision_id, region, ruleset, as_of, type, label, mtyx_basic_eligible, run_id, reasons, sources)
             select * from incoming
             on conflict (credit_code) do update set decision_id = excluded.decision_id, region = excluded.region, ruleset = excluded.ruleset,
               as_of = excluded.as_of, type = excluded.type, label = excluded.label, mtyx_basic_eligible = excluded.mtyx_basic_eligible,
               run_id = excluded.run_id, reasons = excluded.reasons, sources = excluded.sources, recorded_at = now()
             where decisions.decision_id <> excluded.decision_id
               and (coalesce(decisions.run_id, '') not like 'dispute:%'
                    or coalesce(excluded.run_id, '') like 'dispute:%'
                    or decisions.as_of <> excluded.as_of
                    or decisions.sources <> excluded.sources)
             returning credit_code, decision_id
           )
           insert into decision_history (credit_code, decision_id, region, ruleset, effective_from, type, label, mtyx_basic_eligible, run_id, reasons, sources)
           select i.* from incoming i join changed c on c.credit_code = i.credit_code and c.decision_id = i.decision_id`,
          params(wave),
        );
    });
  }

  /** Adds or updates businesses in the register. */
  async upsertBusinesses(rows: readonly BusinessRow[]): Promise<void> {
    if (rows.length === 0) return;
    const latest = new Map(rows.map((r) => [r.creditCode, r]));
    const list = [...latest.values()];
    await this.#sql.query(
      `insert into businesses (credit_code, name, region, operator_id)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
       on conflict (credit_code) do update set name = excluded.name, region = excluded.region, operator_id = excluded.operator_id, updated_at = now()`,
      [list.map((r) => r.creditCode), list.map((r) => r.name), list.map((r) => r.region), list.map((r) => r.operatorId)],
    );
  }

  /** Starts or completes a run record. */
  async recordRun(run: RunRow): Promise<void> {
    await this.#sql.query(
      `insert into runs (run_id, area, as_of, ruleset, snapshot, counts, status, completed_at)
       values ($1, $2, $3, $4, $5, $6, $7, case when $7 = 'complete' then now() end)
       on conflict (run_id) do update set counts = excluded.counts, status = excluded.status, completed_at = excluded.completed_at`,
      [run.runId, run.area, run.asOf, run.ruleset, JSON.stringify(run.snapshot), JSON.stringify(run.counts), run.status],
    );
  }

  /** A run by id. */
  async run(runId: string): Promise<RunRow | null> {
    const r = (await this.#sql.query('select * from runs where run_id = $1', [runId])).rows[0];
    if (r === undefined) return null;
    return {
      runId: r.run_id as string,
      area: r.area as string,
      asOf: dateText(r.as_of),
      ruleset: r.ruleset as string,
      snapshot: r.snapshot,
      counts: r.counts,
      status: r.status as RunRow['status'],
    };
  }

  /** The current decision of a business. */
  async decision(creditCode: string): Promise<StoredDecision | null> {
    const r = (await this.#sql.query('select * from decisions where credit_code = $1', [creditCode])).rows[0];
    return r === undefined ? null : toDecision(r);
  }

  /**
   * A business's current decision and recognition in one statement (one round trip): the
   * gateway's lookup when its cache does not hold the business.
   */
  async decisionAndRecognition(
    creditCode: string,
  ): Promise<{ decision: StoredDecision | null; recognition: RecognitionRow | null }> {
    return (await this.decisionsAndRecognitionsOf([creditCode]))[0] as {
      decision: StoredDecision | null;
      recognition: RecognitionRow | null;
    };
  }

  /** `decisionAndRecognition` of several businesses in one statement, in the order asked (as `creditTagsOf`). */
  async decisionsAndRecognitionsOf(
    creditCodes: readonly string[],
  ): Promise<{ decision: StoredDecision | null; recognition: RecognitionRow | null }[]> {
    if (creditCodes.length === 0) return [];
    const one = creditCodes.length === 1;
    const code = one ? '$1' : 'k.code';
    const rows = (
      await this.#sql.query<{ d: Record<string, unknown> | null; r: Record<string, unknown> | null }>(
        `select (select row_to_json(d) from decisions d where d.credit_code = ${code}) as d,
                (select row_to_json(x) from (${RECOGNITION_SELECT} where r.credit_code = ${code}) x) as r
         ${one ? '' : 'from unnest($1::text[]) with ordinality as k(code, i) order by k.i'}`,
        one ? [...creditCodes] : [creditCodes],
      )
    ).rows;
    return rows.map((r) => ({
      decision: r.d == null ? null : toDecision(r.d),
      recognition: r.r == null ? null : toRecognition(r.r),
    }));
  }

  /**
   * What a bank's tags need of a business — the decision's type, label, rule set, as-of date and
   * basic-standard flags (columns the database derives from the reasons) and its recognition —
   * without reading the reasons themselves.
   */
  async creditTags(creditCode: string): Promise<CreditTagsSnapshot> {
    return (await this.creditTagsOf([creditCode]))[0] as CreditTagsSnapshot;
  }

  /**
   * `creditTags` for several businesses in one statement, in the order asked (a code asked twice is
   * answered twice): the gateway gathers the lookups of concurrent requests into one, since the
   * store's cost is mostly per statement, not per row.
   */
  async creditTagsOf(creditCodes: readonly string[]): Promise<CreditTagsSnapshot[]> {
    if (creditCodes.length === 0) return [];
    // One business: its code as the parameter (planned as a plain index lookup); several: each
    // code of the array in turn, in the order given.
    const one = creditCodes.length === 1;
    const code = one ? '$1' : 'k.code';
    const rows = (
      await this.#sql.query<{ d: Record<string, unknown> | null; r: Record<string, unknown> | null }>(
        `select (select row_to_json(t) from (select decision_id, type, label, ruleset, as_of::text as as_of, mtyx_basic_eligible,
                   basic_standard_met, no_excluding_penalty, operator_not_on_court_list
                 from decisions where credit_code = ${code}) t) as d,
                (select row_to_json(x) from (${RECOGNITION_SELECT} where r.credit_code = ${code}) x) as r
         ${one ? '' : 'from unnest($1::text[]) with ordinality as k(code, i) order by k.i'}`,
        one ? [...creditCodes] : [creditCodes],
      )
    ).rows;
    return rows.map((r) => {
      const d = r.d;
      return {
        tags:
          d == null
            ? null
            : {
                decisionId: d.decision_id as string,
                type: d.type as string,
                label: d.label as string,
                ruleset: d.ruleset as string,
                asOf: d.as_of as string,
                mtyxBasicEligible: d.mtyx_basic_eligible as boolean,
                basicStandardMet: d.basic_standard_met as boolean,
                noExcludingPenalty: d.no_excluding_penalty as boolean,
                operatorNotOnCourtList: d.operator_not_on_court_list as boolean,
              },
        recognition: r.r == null ? null : toRecognition(r.r),
      };
    });
  }

  /** Every decision of a business, oldest effective date first. */
  async history(creditCode: string): Promise<StoredDecision[]> {
    const rows = (
      await this.#sql.query('select * from decision_history where credit_code = $1 order by recorded_at, seq', [creditCode])
    ).rows;
    return rows.map(toDecision);
  }

  /** All current decisions, ordered by credit code (for comparisons and exports). */
  async allDecisions(): Promise<StoredDecision[]> {
    return (await this.#sql.query('select * from decisions order by credit_code')).rows.map(toDecision);
  }

  /** Businesses whose name contains `text` (a literal substring, not a pattern), by credit code. */
  async searchBusinesses(text: string, limit: number): Promise<BusinessRow[]> {
    const rows = (
      await this.#sql.query('select * from businesses where strpos(name, $1) > 0 order by credit_code limit $2', [text, limit])
    ).rows;
    return rows.map((r) => ({
      creditCode: r.credit_code as string,
      name: (r.name as string | null) ?? null,
      region: r.region as string,
      operatorId: (r.operator_id as string | null) ?? null,
    }));
  }

  /** The divisions of the businesses in the register whose operator is `operatorId` (none: none known). */
  async regionsOfOperator(operatorId: string): Promise<string[]> {
    const r = await this.#sql.query<{ region: string }>('select distinct region from businesses where operator_id = $1', [
      operatorId,
    ]);
    return r.rows.map((x) => x.region);
  }

  /** A business in the register. */
  async business(creditCode: string): Promise<BusinessRow | null> {
    const r = (await this.#sql.query('select * from businesses where credit_code = $1', [creditCode])).rows[0];
    return r === undefined
      ? null
      : {
          creditCode: r.credit_code as string,
          name: (r.name as string | null) ?? null,
          region: r.region as string,
          operatorId: (r.operator_id as string | null) ?? null,
        };
  }

  /**
   * Records recognitions (名特优新) from a round: a later recognition (or the same one extended)
   * replaces an earlier one, never the other way round, so a round's own write and the sink's
   * replay of the same event may come in either order.
   */
  async upsertRecognitions(rows: readonly RecognitionRow[]): Promise<void> {
    for (const r of rows) {
      await this.#sql.query(
        `insert into recognitions (credit_code, category, valid_from, valid_until, status, round_id, reason)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (credit_code) do update set category = excluded.category, valid_from = excluded.valid_from,
           valid_until = excluded.valid_until, status = excluded.status, round_id = excluded.round_id, reason = excluded.reason, updated_at = now()
         where (excluded.valid_from, excluded.valid_until) >= (recognitions.valid_from, recognitions.valid_until)`,
        [r.creditCode, r.category, r.validFrom, r.validUntil, r.status, r.roundId, r.reason],
      );
    }
  }

  /** Records round outcomes; one already recorded (same event id) is kept as it is. */
  async recordRoundOutcomes(rows: readonly RoundOutcomeRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#sql.query(
      `insert into mtyx_outcomes (event_id, credit_code, round_id, year, decided_on, outcome, category, valid_from, valid_until, explanation, reasons)
       select e, c, r, y, d, o, k, f, u, x, j::jsonb
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::date[], $6::text[], $7::text[], $8::date[], $9::date[], $10::text[], $11::text[])
         as t(e, c, r, y, d, o, k, f, u, x, j)
       on conflict (event_id) do nothing`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.creditCode),
        rows.map((r) => r.roundId),
        rows.map((r) => r.year),
        rows.map((r) => r.decidedOn),
        rows.map((r) => r.outcome),
        rows.map((r) => r.category),
        rows.map((r) => r.validFrom),
        rows.map((r) => r.validUntil),
        rows.map((r) => r.explanation),
        rows.map((r) => JSON.stringify(r.reasons)),
      ],
    );
  }

  /** Records re-checks; a second sweep of the same day replaces the first's record. */
  async recordRechecks(rows: readonly Recheck[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#sql.query(
      `insert into rechecks (credit_code, checked_on, outcome, reason, reports)
       select c, d, o, r, j::jsonb from unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[]) as t(c, d, o, r, j)
       on conflict (credit_code, checked_on) do update set outcome = excluded.outcome, reason = excluded.reason,
         reports = excluded.reports, recorded_at = now()`,
      [
        rows.map((r) => r.creditCode),
        rows.map((r) => r.checkedOn),
        rows.map((r) => r.outcome),
        rows.map((r) => r.reason),
        rows.map((r) => JSON.stringify(r.reports)),
      ],
    );
  }

  /** Records a filing review (the same review twice is kept once). */
  /** Keeps a revocation's note for the regulators (never in a status change: see migration 22). */
  async recordRevocationNote(r: RevocationNote): Promise<void> {
    await this.#sql.query(
      'insert into revocation_notes (credit_code, revoked_on, ground, note, actor) values ($1, $2, $3, $4, $5)',
      [r.creditCode, r.revokedOn, r.ground, r.note, r.actor],
    );
  }

  async recordFilingReview(r: FilingReview): Promise<void> {
    const id = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 32);
    await this.#sql.query(
      `insert into filing_reviews (event_id, credit_code, year, outcome, reviewed_on, supplement_by, actor, note)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (event_id) do nothing`,
      [id, r.creditCode, r.year, r.outcome, r.reviewedOn, r.supplementBy, r.actor, r.note],
    );
  }

  /**
   * The filing list of `year` for an area (a district, a province as XX0000, or 000000): every
   * recognition a round of that year made there, with its latest filing review, by credit code.
   */
  async filingList(area: string, year: number): Promise<(RoundOutcomeRow & { district: string; review: FilingReview | null })[]> {
    const rows = (
      await this.#sql.query(
        `select o.event_id, o.credit_code, o.round_id, o.year, o.decided_on::text as decided_on, o.outcome, o.category,
                o.valid_from::text as valid_from, o.valid_until::text as valid_until, o.explanation,
                coalesce(b.region, substr(o.credit_code, 3, 6)) as district,
                (select row_to_json(f) from (select credit_code, year, outcome, reviewed_on::text as reviewed_on,
                        supplement_by::text as supplement_by, actor, note from filing_reviews f
                   where f.credit_code = o.credit_code and f.year = o.year order by reviewed_on desc, recorded_at desc, seq desc limit 1) f) as review
         from mtyx_outcomes o left join businesses b on b.credit_code = o.credit_code
         where o.outcome = 'recognised' and o.year = $1
           and ($2 = '000000' or coalesce(b.region, substr(o.credit_code, 3, 6)) like $3)
         order by o.credit_code, o.decided_on`,
        [year, area, area.endsWith('0000') ? `${area.slice(0, 2)}%` : area],
      )
    ).rows;
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(r.credit_code as string) && seen.add(r.credit_code as string))
      .map((r) => ({
        ...toRoundOutcome(r),
        district: r.district as string,
        review: r.review == null ? null : toFilingReview(r.review as Record<string, unknown>),
      }));
  }

  /**
   * The life of a business's 名特优新 recognitions: every round outcome (oldest first) and every
   * status change, dates as YYYY-MM-DD text.
   */
  async recognitionLife(creditCode: string): Promise<{
    outcomes: RoundOutcomeRow[];
    changes: Omit<RecognitionChange, 'eventId'>[];
    filings: FilingReview[];
    rechecks: Recheck[];
    revocationNotes: RevocationNote[];
  }> {
    const outcomes = (
      await this.#sql.query(
        `select event_id, credit_code, round_id, year, decided_on::text as decided_on, outcome, category,
                valid_from::text as valid_from, valid_until::text as valid_until, explanation, reasons
         from mtyx_outcomes where credit_code = $1 order by decided_on nulls first, year, recorded_at, seq`,
        [creditCode],
      )
    ).rows.map(toRoundOutcome);
    const changes = (
      await this.#sql.query(
        `select credit_code, status, category, valid_until::text as valid_until, changed_on::text as changed_on, reason
         from recognition_changes where credit_code = $1 order by changed_on, recorded_at, seq`,
        [creditCode],
      )
    ).rows.map((r) => ({
      creditCode: r.credit_code as string,
      status: r.status as RecognitionRow['status'],
      category: r.category as string,
      validUntil: r.valid_until as string,
      changedOn: r.changed_on as string,
      reason: r.reason as string,
    }));
    const revocationNotes = (
      await this.#sql.query(
        `select credit_code, revoked_on::text as revoked_on, ground, note, actor from revocation_notes
         where credit_code = $1 order by seq`,
        [creditCode],
      )
    ).rows.map((r) => ({
      creditCode: r.credit_code as string,
      revokedOn: r.revoked_on as string,
      ground: r.ground as string,
      note: r.note as string,
      actor: r.actor as string,
    }));
    const filings = (
      await this.#sql.query(
        `select credit_code, year, outcome, reviewed_on::text as reviewed_on, supplement_by::text as supplement_by, actor, note
         from filing_reviews where credit_code = $1 order by reviewed_on, recorded_at, seq`,
        [creditCode],
      )
    ).rows.map(toFilingReview);
    const rechecks = (
      await this.#sql.query(
        `select credit_code, checked_on::text as checked_on, outcome, reason, reports from rechecks
         where credit_code = $1 order by checked_on`,
        [creditCode],
      )
    ).rows.map((r) => ({
      creditCode: r.credit_code as string,
      checkedOn: r.checked_on as string,
      outcome: r.outcome as Recheck['outcome'],
      reason: r.reason as string,
      reports: jsonColumn<Recheck['reports']>(r.reports),
    }));
    return { outcomes, changes, filings, rechecks, revocationNotes };
  }

  /** The recognition of a business, if any, with its status after any later change. */
  async recognition(creditCode: string): Promise<RecognitionRow | null> {
    const r = (await this.#sql.query(`${RECOGNITION_SELECT} where r.credit_code = $1`, [creditCode])).rows[0];
    return r === undefined ? null : toRecognition(r);
  }

  /** Recognitions active by their status (whatever their dates say), in credit-code order. */
  async activeRecognitions(): Promise<(RecognitionRow & { region: string | null })[]> {
    const rows = (
      await this.#sql.query(`select * from (${RECOGNITION_SELECT}) x where x.effective_status = 'active' order by x.credit_code`)
    ).rows;
    return rows.map((r) => ({ ...toRecognition(r), region: (r.region as string | null) ?? null }));
  }

  /** The recognitions of the businesses within `area`, any status (as changes made it), by last day of validity. */
  async recognitionsIn(area: string): Promise<(RecognitionRow & { region: string })[]> {
    const rows = (
      await this.#sql.query(
        `select * from (${RECOGNITION_SELECT}) x where coalesce(x.region, substr(x.credit_code, 3, 6)) like $1
         order by x.valid_until, x.credit_code`,
        [areaPattern(area)],
      )
    ).rows;
    return rows.map((r) => ({
      ...toRecognition(r),
      region: (r.region as string | null) ?? (r.credit_code as string).slice(2, 8),
    }));
  }

  /** Records badge status changes; a change already recorded (same event id) is kept as it is. */
  async recordRecognitionChanges(rows: readonly RecognitionChange[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#sql.query(
      `insert into recognition_changes (event_id, credit_code, status, category, valid_until, changed_on, reason)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[])
       on conflict (event_id) do nothing`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.creditCode),
        rows.map((r) => r.status),
        rows.map((r) => r.category),
        rows.map((r) => r.validUntil),
        rows.map((r) => r.changedOn),
        rows.map((r) => r.reason),
      ],
    );
  }

  /**
   * Appends entries, in order, to the hash-chained audit log (lib/store/auditChain.ts). Callers
   * batch (group commit, see gateway/audit.ts) and may have several batches under way.
   *
   * PostgreSQL may have several gateway processes appending: each batch takes an advisory lock and
   * reads the chain's head in its transaction. PGlite belongs to this process alone: its thread
   * keeps the head, hashes, and inserts each batch as one statement, in the order they were sent.
   */
  async appendAuditBatch(list: readonly AuditInput[]): Promise<AuditEntry[]> {
    if (list.length === 0) return [];
    if (this.#sql.appendAudit !== undefined) return this.#sql.appendAudit(list);
    return this.#sql.transaction(async (q) => {
      await q.query('select pg_advisory_xact_lock(7316)');
      const out = chainAudit(auditHeadOf((await q.query<{ seq: string; hash: string }>(READ_AUDIT_HEAD)).rows[0]), list);
      await q.query(INSERT_AUDIT, [JSON.stringify(out)]);
      return out;
    });
  }

  /** The audit log in order, optionally filtered by credit code (for regulators). */
  /**
   * A page of the audit log, newest first: entries before `before` (a seq), of one business or of
   * the businesses of an area (by their registered region, else the division in their code), of
   * one subject, of one action, at or after `since` and before `until` (ISO times).
   */
  async auditPage(o: {
    creditCode?: string;
    area?: string;
    subject?: string;
    action?: string;
    since?: string;
    until?: string;
    before?: number;
    limit: number;
  }): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (value: unknown, clause: (n: number) => string) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (o.subject !== undefined) add(o.subject, (n) => `a.subject = $${n}`);
    if (o.action !== undefined) add(o.action, (n) => `a.action = $${n}`);
    if (o.since !== undefined) add(o.since, (n) => `a.at >= $${n}::timestamptz`);
    if (o.until !== undefined) add(o.until, (n) => `a.at < $${n}::timestamptz`);
    if (o.creditCode !== undefined) {
      params.push(o.creditCode);
      where.push(`a.credit_code = $${params.length}`);
    }
    if (o.area !== undefined && o.area !== '000000') {
      params.push(o.area.endsWith('0000') ? `${o.area.slice(0, 2)}%` : o.area);
      where.push(`a.credit_code is not null and coalesce(b.region, substr(a.credit_code, 3, 6)) like $${params.length}`);
    }
    if (o.before !== undefined) {
      params.push(o.before);
      where.push(`a.seq < $${params.length}`);
    }
    params.push(o.limit);
    const rows = (
      await this.#sql.query(
        `select a.* from audit_log a left join businesses b on b.credit_code = a.credit_code
         ${where.length === 0 ? '' : `where ${where.join(' and ')}`} order by a.seq desc limit $${params.length}`,
        params,
      )
    ).rows;
    return rows.map(toAuditEntry);
  }

  async auditEntries(creditCode?: string, limit = 1000): Promise<AuditEntry[]> {
    const rows = (
      creditCode === undefined
        ? await this.#sql.query('select * from audit_log order by seq limit $1', [limit])
        : await this.#sql.query('select * from audit_log where credit_code = $1 order by seq limit $2', [creditCode, limit])
    ).rows;
    return rows.map(toAuditEntry);
  }

  /** Audit entries after sequence number `after`, in order, at most `limit` (a page of the chain). */
  async auditRange(after: number, limit: number): Promise<AuditEntry[]> {
    const rows = (await this.#sql.query('select * from audit_log where seq > $1 order by seq limit $2', [after, limit])).rows;
    return rows.map(toAuditEntry);
  }

  /** Runs raw SQL: reached only through lib/store/testing.ts (tests that tamper with the audit log). */
  async [RAW_SQL](text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.#sql.query(text, params)).rows;
  }

  /** Counts of current decisions per region and type. */
  async counts(): Promise<{ region: string; type: string; n: number }[]> {
    const rows = (
      await this.#sql.query<{ region: string; type: string; n: string }>(
        'select region, type, count(*) as n from decisions group by region, type order by region, type',
      )
    ).rows;
    return rows.map((r) => ({ region: r.region, type: r.type, n: Number(r.n) }));
  }

  /**
   * Whether the store answers now.
   * @throws GetihuError `UNAVAILABLE` (or `TIMEOUT`) when it does not.
   */
  async ping(): Promise<void> {
    await this.#sql.query('select 1');
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }
}
