/**
 * Regulators' jobs: a typing run, a 名特优新 round, a badge sweep. A job is accepted at once
 * (its id and state kept in the store), executed off the request that asked for it on the
 * runner's own decision pool, one at a time, and its progress, result or error recorded as it
 * goes, for whoever asks (`GET /v1/regulator/jobs/{id}`).
 *
 * No caller can starve the others: each may have MAX_QUEUED_PER_SUBJECT jobs unfinished and the
 * runner MAX_QUEUED in all (past them: RATE_LIMITED), and the next job is taken from the callers
 * in turn, not in the order they were piled up. A runner keeps its unfinished jobs fresh in the
 * store while it lives; a job that no live runner has kept for STALE_SECONDS (its process ended)
 * is marked failed by whichever runner looks next, so no caller waits on it forever and no
 * replica fails another's jobs.
 */
import { randomUUID } from 'node:crypto';
import { GetihuError, isGetihuError } from '../lib/errors.js';
import { logger } from '../lib/observe/index.js';
import type { JobRow, Store } from '../lib/store/index.js';
import { DecisionPool } from './reconciler.js';

const log = logger('jobs');

/** Unfinished jobs one caller (a token's subject) may have on a runner. */
export const MAX_QUEUED_PER_SUBJECT = 3;
/** Unfinished jobs on one runner, every caller's together. */
export const MAX_QUEUED = 20;
/** How often a runner keeps its unfinished jobs fresh, and looks for others' left behind (s). */
export const KEEP_SECONDS = 5;
/** A job no runner has kept for this long was left by a process that ended (s). */
export const STALE_SECONDS = 30;

/** What a job's work is given: the runner's pool, and a way to report progress. */
export interface JobContext {
  readonly pool: DecisionPool;
  progress(p: Record<string, unknown>): void;
}

/** A job to run: what it is, over which area, for whom, and its work. */
export interface JobSpec {
  readonly kind: 'run' | 'round' | 'sweep' | 'carry';
  readonly area: string;
  readonly subject: string;
  readonly params: Record<string, unknown>;
  readonly work: (ctx: JobContext) => Promise<unknown>;
}

interface Queued {
  readonly id: string;
  readonly spec: JobSpec;
}

/** Runs jobs one at a time on a pool of its own, taking the callers in turn. */
export class JobRunner {
  readonly #store: Store;
  readonly #pool: DecisionPool;
  /** This runner's name in the store's jobs. */
  readonly id = `runner_${randomUUID()}`;
  /** Jobs waiting, per caller. */
  readonly #waiting = new Map<string, Queued[]>();
  /** When each caller was last served (a count of jobs started): the longest unserved goes next. */
  readonly #served = new Map<string, number>();
  #starts = 0;
  /** Unfinished jobs per caller (waiting or running). */
  readonly #unfinished = new Map<string, number>();
  /** Settles when a job of this runner ends, by id. */
  readonly #ended = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  #running: Promise<void> | undefined;
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  private constructor(store: Store, threads: number) {
    this.#store = store;
    this.#pool = new DecisionPool(threads);
    this.#timer = setInterval(() => {
      this.#keep().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'jobs not kept this time'));
    }, KEEP_SECONDS * 1000);
    this.#timer.unref();
  }

  /** A runner over `store`; jobs that processes which ended left unfinished are marked failed first. */
  static async start(store: Store, threads = 1): Promise<JobRunner> {
    const runner = new JobRunner(store, threads);
    await runner.#failLeftBehind();
    return runner;
  }

  async #keep(): Promise<void> {
    await this.#store.jobs.keep(this.id);
    await this.#failLeftBehind();
  }

  async #failLeftBehind(): Promise<void> {
    const stale = await this.#store.jobs.failInterrupted(STALE_SECONDS);
    if (stale > 0) log.warn({ jobs: stale }, 'jobs left unfinished by a process that ended are marked failed');
  }

  /**
   * Accepts a job: recorded as queued, then run when its caller's turn comes.
   * @throws GetihuError `RATE_LIMITED` when its caller, or the runner, has as many unfinished jobs as it takes.
   */
  async submit(spec: JobSpec): Promise<JobRow> {
    if (this.#closed) throw new GetihuError('UNAVAILABLE', 'the job runner is stopping');
    const mine = this.#unfinished.get(spec.subject) ?? 0;
    if (mine >= MAX_QUEUED_PER_SUBJECT)
      throw new GetihuError(
        'RATE_LIMITED',
        `this caller has ${MAX_QUEUED_PER_SUBJECT} jobs unfinished: wait for one to end before starting another`,
        { retryAfterSeconds: 10 },
      );
    let all = 0;
    for (const n of this.#unfinished.values()) all += n;
    if (all >= MAX_QUEUED)
      throw new GetihuError('RATE_LIMITED', `the job runner has ${MAX_QUEUED} jobs unfinished; try again shortly`, {
        retryAfterSeconds: 10,
      });
    this.#unfinished.set(spec.subject, mine + 1);
    const id = `job_${randomUUID()}`;
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.#ended.set(id, { promise, resolve });
    try {
      await this.#store.jobs.create({
        id,
        kind: spec.kind,
        area: spec.area,
        subject: spec.subject,
        params: spec.params,
        runner: this.id,
      });
    } catch (err) {
      this.#finished(id, spec.subject);
      throw err;
    }
    const queue = this.#waiting.get(spec.subject);
    if (queue === undefined) this.#waiting.set(spec.subject, [{ id, spec }]);
    else queue.push({ id, spec });
    this.#next();
    return (await this.#store.jobs.of(id)) as JobRow;
  }

  /**
   * Starts the next job, when none runs: the first of the waiting caller served longest ago (one
   * never served first of all), so a caller who piled up jobs waits behind each newcomer.
   */
  #next(): void {
    if (this.#running !== undefined) return;
    let subject: string | undefined;
    for (const s of this.#waiting.keys())
      if (subject === undefined || (this.#served.get(s) ?? -1) < (this.#served.get(subject) ?? -1)) subject = s;
    if (subject === undefined) return;
    const queue = this.#waiting.get(subject) as Queued[];
    const job = queue.shift() as Queued;
    if (queue.length === 0) this.#waiting.delete(subject);
    this.#served.set(subject, this.#starts++);
    this.#running = this.#run(job.id, job.spec).finally(() => {
      this.#finished(job.id, subject);
      this.#running = undefined;
      this.#next();
    });
  }

  #finished(id: string, subject: string): void {
    const n = (this.#unfinished.get(subject) ?? 1) - 1;
    if (n <= 0) {
      this.#unfinished.delete(subject);
      if (!this.#waiting.has(subject)) this.#served.delete(subject);
    } else this.#unfinished.set(subject, n);
    this.#ended.get(id)?.resolve();
    this.#ended.delete(id);
  }

  async #run(id: string, spec: JobSpec): Promise<void> {
    let latest: Record<string, unknown> | undefined;
    let writing: Promise<void> = Promise.resolve();
    try {
      await this.#store.jobs.update(id, { state: 'running' });
      const result = await spec.work({
        pool: this.#pool,
        progress: (p) => {
          latest = p;
          // Progress is written as it comes, one write at a time, the newest winning.
          writing = writing.then(() =>
            latest === p ? this.#store.jobs.update(id, { state: 'running', progress: p }) : undefined,
          );
        },
      });
      await writing.catch(() => undefined);
      await this.#store.jobs.update(id, { state: 'succeeded', result });
    } catch (err) {
      await writing.catch(() => undefined);
      const e = isGetihuError(err) ? err : new GetihuError('INTERNAL', (err as Error)?.message ?? String(err));
      if (e.code === 'INTERNAL') log.error({ job: id, err: (err as Error)?.stack ?? String(err) }, 'a job failed');
      await this.#store.jobs
        .update(id, {
          state: 'failed',
          error: { code: e.code, message: e.code === 'INTERNAL' ? 'internal error' : e.message },
        })
        .catch((w: unknown) => log.error({ job: id, err: (w as Error).message }, 'a failed job could not be recorded'));
    }
  }

  /**
   * The job once it has ended, or as it stands after `ms`. A job of this runner is awaited on its
   * end; another runner's is looked up once a second.
   */
  async waitFor(id: string, ms: number): Promise<JobRow | null> {
    const until = Date.now() + ms;
    const own = this.#ended.get(id);
    if (own !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([own.promise, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
      return this.#store.jobs.of(id);
    }
    for (;;) {
      const j = await this.#store.jobs.of(id);
      if (j === null || j.state === 'succeeded' || j.state === 'failed' || Date.now() >= until) return j;
      await new Promise((r) => setTimeout(r, Math.min(1_000, Math.max(0, until - Date.now()))));
    }
  }

  /** Resolves once every job accepted so far has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.#ended.values()].map((e) => e.promise));
  }

  /** Stops accepting jobs, lets those accepted finish, and closes the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.idle();
    await this.#pool.close();
  }
}
