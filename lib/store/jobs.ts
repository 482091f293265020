/**
 * Regulators' jobs (runs, rounds, sweeps) and the leases that keep one runner on each, a repository
 * of the store. One SQL for both drivers.
 */
import { isoText } from './sqlText.js';
import type { JobRow, Sql } from './store.js';

/** The jobs and job_leases tables. */
export class Jobs {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Records a job accepted by `runner`. */
  async create(j: { id: string; kind: string; area: string; subject: string; params: unknown; runner: string }): Promise<void> {
    await this.#sql.query(
      `insert into jobs (id, kind, area, subject, params, state, runner) values ($1, $2, $3, $4, $5::jsonb, 'queued', $6)`,
      [j.id, j.kind, j.area, j.subject, JSON.stringify(j.params), j.runner],
    );
  }

  /** Marks the unfinished jobs of `runner` as kept (their time moves on), so no other runner fails them. */
  async keep(runner: string): Promise<void> {
    await this.#sql.query("update jobs set updated_at = now() where runner = $1 and state in ('queued', 'running')", [runner]);
  }

  /** Moves a job on: its state, and its progress, result or error when given. */
  async update(
    id: string,
    u: { state: JobRow['state']; progress?: unknown; result?: unknown; error?: { code: string; message: string } },
  ): Promise<void> {
    await this.#sql.query(
      `update jobs set state = $2, progress = coalesce($3::jsonb, progress), result = coalesce($4::jsonb, result),
         error = coalesce($5::jsonb, error), updated_at = now() where id = $1`,
      [
        id,
        u.state,
        u.progress === undefined ? null : JSON.stringify(u.progress),
        u.result === undefined ? null : JSON.stringify(u.result),
        u.error === undefined ? null : JSON.stringify(u.error),
      ],
    );
  }

  /** A job by id, or null. */
  async of(id: string): Promise<JobRow | null> {
    const r = (
      await this.#sql.query(
        `select *, ${isoText('created_at')} as created, ${isoText('updated_at')} as updated from jobs where id = $1`,
        [id],
      )
    ).rows[0];
    if (r === undefined) return null;
    return {
      id: r.id as string,
      kind: r.kind as string,
      area: r.area as string,
      subject: r.subject as string,
      params: r.params,
      state: r.state as JobRow['state'],
      progress: r.progress ?? null,
      result: r.result ?? null,
      error: (r.error as JobRow['error']) ?? null,
      createdAt: r.created as string,
      updatedAt: r.updated as string,
    };
  }

  /** Jobs left queued or running by a process that ended: failed, with why. Returns how many. */
  async failInterrupted(olderThanSeconds: number): Promise<number> {
    const r = await this.#sql.query(
      `update jobs set state = 'failed', error = '{"code":"UNAVAILABLE","message":"interrupted: the process running it ended; submit it again"}'::jsonb,
         updated_at = now() where state in ('queued', 'running') and updated_at < now() - make_interval(secs => $1) returning id`,
      [olderThanSeconds],
    );
    return r.rows.length;
  }

  /**
   * Takes the lease `name` for `holder` for `ttlMs` if no one else holds an unexpired one (or
   * renews it when `holder` has it). Returns whether `holder` now holds it.
   */
  async tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const r = await this.#sql.query<{ holder: string }>(
      `insert into job_leases (name, holder, expires_at) values ($1, $2, now() + ($3::int * interval '1 millisecond'))
       on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
         where job_leases.expires_at < now() or job_leases.holder = excluded.holder
       returning holder`,
      [name, holder, Math.ceil(ttlMs)],
    );
    return r.rows[0]?.holder === holder;
  }

  /** Gives the lease `name` back, if `holder` has it. */
  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#sql.query('delete from job_leases where name = $1 and holder = $2', [name, holder]);
  }
}
