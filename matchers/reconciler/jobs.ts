/**
 * Regulators' jobs: a typing run, a 名特优新 round, a badge sweep. A job is accepted at once
 * (its id and state kept in the store), executed off the request that asked for it on the
 * runner's own decision pool, one at a time, and its progress, result or error recorded as it
 * goes, for whoever asks (`GET /v1/regulator/jobs/{id}`). A job left unfinished by a process that
 * ended is marked failed when the next runner starts, so no caller waits on it forever.
 */
import { randomUUID } from 'node:crypto';
import { GetihuError, isGetihuError } from '../../lib/errors.js';
import { logger } from '../../lib/observe/index.js';
import type { JobRow, Store } from '../../lib/store/index.js';
import { DecisionPool } from './reconciler.js';

const log = logger('jobs');

/** What a job's work is given: the runner's pool, and a way to report progress. */
export interface JobContext {
  readonly pool: DecisionPool;
  progress(p: Record<string, unknown>): void;
}

/** A job to run: what it is, over which area, for whom, and its work. */
export interface JobSpec {
  readonly kind: 'run' | 'round' | 'sweep';
  readonly area: string;
  readonly subject: string;
  readonly params: Record<string, unknown>;
  readonly work: (ctx: JobContext) => Promise<unknown>;
}

/** Runs jobs one at a time on a pool of its own. */
export class JobRunner {
  readonly #store: Store;
  readonly #pool: DecisionPool;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(store: Store, threads: number) {
    this.#store = store;
    this.#pool = new DecisionPool(threads);
  }

  /** A runner over `store`; jobs a previous process left unfinished are marked failed first. */
  static async start(store: Store, threads = 1): Promise<JobRunner> {
    const stale = await store.jobs.failInterrupted(0);
    if (stale > 0) log.warn({ jobs: stale }, 'jobs left unfinished by a process that ended are marked failed');
    return new JobRunner(store, threads);
  }

  /** Accepts a job: recorded as queued, then run after those before it. */
  async submit(spec: JobSpec): Promise<JobRow> {
    if (this.#closed) throw new GetihuError('UNAVAILABLE', 'the job runner is stopping');
    const id = `job_${randomUUID()}`;
    await this.#store.jobs.create({ id, kind: spec.kind, area: spec.area, subject: spec.subject, params: spec.params });
    this.#chain = this.#chain.then(() => this.#run(id, spec));
    return (await this.#store.jobs.of(id)) as JobRow;
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

  /** The job once it has ended, or as it stands after `ms`. */
  async waitFor(id: string, ms: number): Promise<JobRow | null> {
    const until = Date.now() + ms;
    for (;;) {
      const j = await this.#store.jobs.of(id);
      if (j === null || j.state === 'succeeded' || j.state === 'failed' || Date.now() >= until) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves once every job accepted so far has finished. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  /** Stops accepting jobs, lets the one running finish, and closes the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#chain.catch(() => undefined);
    await this.#pool.close();
  }
}
