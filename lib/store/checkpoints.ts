/**
 * Signed checkpoints of the audit chain's head, a repository of the store: the head to sign, the
 * checkpoints signed, and the hash the chain holds today at a checkpoint's sequence number.
 */
import { type AuditHead, auditHeadOf, READ_AUDIT_HEAD } from './auditChain.js';
import type { Sql } from './store.js';

/** A checkpoint as kept: the head it signs, when, and the signed token. */
export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly token: string;
}

interface Row {
  readonly seq: string | number;
  readonly hash: string;
  readonly at: string;
  readonly token: string;
}

const COLUMNS = `seq, hash, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, token`;
const toCheckpoint = (r: Row): Checkpoint => ({ seq: Number(r.seq), hash: r.hash, at: r.at, token: r.token });

/** The audit_checkpoints table, and what it checks against in audit_log. */
export class Checkpoints {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** The audit chain's head now. */
  async head(): Promise<AuditHead> {
    return auditHeadOf((await this.#sql.query<{ seq: string; hash: string }>(READ_AUDIT_HEAD)).rows[0]);
  }

  /** Keeps a checkpoint; false when one of that sequence number was kept already (another replica's). */
  async record(c: Checkpoint): Promise<boolean> {
    const r = await this.#sql.query(
      'insert into audit_checkpoints (seq, hash, at, token) values ($1, $2, $3::timestamptz, $4) on conflict (seq) do nothing returning seq',
      [c.seq, c.hash, c.at, c.token],
    );
    return r.rows.length > 0;
  }

  /** The newest checkpoint, if any. */
  async latest(): Promise<Checkpoint | null> {
    const r = await this.#sql.query<Row>(`select ${COLUMNS} from audit_checkpoints order by seq desc limit 1`);
    return r.rows[0] === undefined ? null : toCheckpoint(r.rows[0]);
  }

  /** Checkpoints after sequence number `seq`, oldest first, at most `limit`. */
  async after(seq: number, limit: number): Promise<Checkpoint[]> {
    const r = await this.#sql.query<Row>(`select ${COLUMNS} from audit_checkpoints where seq > $1 order by seq limit $2`, [
      seq,
      limit,
    ]);
    return r.rows.map(toCheckpoint);
  }

  /** The hash the chain's entry `seq` has now (null: no such entry). */
  async hashAt(seq: number): Promise<string | null> {
    const r = await this.#sql.query<{ hash: string }>('select hash from audit_log where seq = $1', [seq]);
    return r.rows[0]?.hash ?? null;
  }
}
