/**
 * The embedded store's own thread: PGlite (Postgres compiled to WASM) runs every statement on the
 * thread that owns it, so it lives here and the rest of the process talks to it by message — the
 * gateway and the pipeline keep their thread, and the store's work lands on the other core.
 * Requests run one at a time in arrival order, each to its end (a request of several statements is
 * never interleaved with another's); transactions are bracketed by the caller (see
 * pgliteWorkerSql in store.ts), which holds every other request back meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import {
  type AuditEntry,
  type AuditHead,
  type AuditInput,
  auditHeadOf,
  type ChainPlace,
  chainAudit,
  INSERT_AUDIT,
  placeOf,
  READ_AUDIT_HEAD,
} from './auditChain.js';

/** A request from the owning thread. */
export type WorkerRequest =
  | { readonly id: number; readonly op: 'query'; readonly text: string; readonly params: unknown[] }
  | { readonly id: number; readonly op: 'appendAudit'; readonly entries: readonly AuditInput[] }
  | { readonly id: number; readonly op: 'close' };
/** The answer: rows, or the error's message and SQLSTATE. */
export type WorkerReply =
  | { readonly id: number; readonly rows: unknown[] }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

const port = parentPort;
if (port === null) throw new Error('pgliteWorker.ts runs as a worker thread');
const { dataDir } = workerData as { dataDir?: string };
// A DATE is read as its text, YYYY-MM-DD: as a JavaScript Date it would be a moment, and read
// back in another time zone it names another day.
// Shared buffers of 16 MB, not PostgreSQL's 128 MB: the embedded store's files are already in
// memory (in memory by default, else in the OS's page cache), so large buffers hold a second copy.
const db = await PGlite.create({
  ...(dataDir === undefined ? {} : { dataDir }),
  parsers: { 1082: (v: string) => v },
  postgresqlconf: ['shared_buffers = 16MB'],
});
// Literals below are written for standard-conforming strings (a backslash is an ordinary
// character, a quote is doubled); refuse to start on a setting where that would not hold.
const scs = (await db.query<{ standard_conforming_strings: string }>('show standard_conforming_strings')).rows[0];
if (scs?.standard_conforming_strings !== 'on') throw new Error('standard_conforming_strings must be on');

/** A parameter written as an SQL literal, or undefined when it has no plain literal form. */
function literal(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (typeof v === 'number') return Number.isFinite(v) ? `'${v}'` : undefined;
  if (typeof v === 'bigint') return `'${v}'`;
  // Quoted like every other value: an untyped literal takes the parameter's inferred type.
  if (typeof v === 'boolean') return v ? "'true'" : "'false'";
  return undefined;
}

/**
 * An array for a parameter of an array type, as the literal of PostgreSQL's array input
 * (`'{"a","b",NULL}'`: each element double-quoted, its backslashes and double quotes escaped), or
 * undefined when an element is not a plain value.
 */
function arrayLiteral(v: readonly unknown[]): string | undefined {
  const elements: string[] = [];
  for (const x of v) {
    if (x === null || x === undefined) elements.push('NULL');
    else if (typeof x === 'string') elements.push(`"${x.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
    else if ((typeof x === 'number' && Number.isFinite(x)) || typeof x === 'bigint' || typeof x === 'boolean')
      elements.push(String(x));
    else return undefined;
  }
  return literal(`{${elements.join(',')}}`);
}

/** A statement prepared: its name and its parameters' types as PostgreSQL inferred them (`text[]`, `integer`, …). */
interface Prepared {
  readonly name: string;
  readonly types: readonly string[];
}

/** Statement text → its prepared form, or null when it cannot be prepared (then it is run as given). */
const prepared = new Map<string, Prepared | null>();
/** The store's statements are the code's own, a bounded set; beyond this, run them as given. */
const MAX_PREPARED = 500;

/** The arguments as literals for `p`'s parameters, or undefined when one has no literal form. */
function argumentsOf(p: Prepared, params: readonly unknown[]): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const a = Array.isArray(v) ? (p.types[i]?.endsWith('[]') ? arrayLiteral(v) : undefined) : literal(v);
    if (a === undefined) return undefined;
    out.push(a);
  }
  return out;
}

/**
 * Runs a statement with parameters. The store's statements are few and run over and over, so each
 * is prepared once (PREPARE, types inferred) and then EXECUTEd with its arguments written as
 * literals over the simple protocol; PGlite's extended protocol parses and plans the statement on
 * every call. Measured on this machine: an uncached lookup's two reads 300–390 µs prepared against
 * 790–1100 µs as given; an audit batch of 20, 20 µs per entry against 34 µs. Arrays go as array
 * literals where the parameter is of an array type (the batched lookups: 25 credit codes read
 * in 0.9 ms against 1.5 ms as given); arguments without a plain literal form (dates, objects)
 * and statements that cannot be prepared run as given.
 */
async function query(text: string, params: readonly unknown[]): Promise<unknown[]> {
  const asGiven = async () => (await db.query(text, params as unknown[])).rows;
  if (params.length === 0 || text.includes(';')) return asGiven();
  let p = prepared.get(text);
  if (p === null) return asGiven();
  if (p === undefined) {
    if (prepared.size >= MAX_PREPARED) return asGiven();
    const name = `getihu_${prepared.size + 1}`;
    try {
      await db.exec(`prepare ${name} as ${text}`);
      const t = await db.query<{ t: string[] }>(
        'select array_to_json(parameter_types::text[]) as t from pg_prepared_statements where name = $1',
        [name],
      );
      p = { name, types: t.rows[0]?.t ?? [] };
      prepared.set(text, p);
    } catch (err) {
      // Inside a failed transaction nothing can be prepared; that says nothing of the statement.
      if ((err as { code?: string }).code !== '25P02') prepared.set(text, null);
      return asGiven();
    }
  }
  const args = argumentsOf(p, params);
  if (args === undefined) return asGiven();
  const [r] = await db.exec(`execute ${p.name}(${args.join(', ')})`);
  return r?.rows ?? [];
}

/**
 * The audit chain's head. The embedded store belongs to this process alone and every append comes
 * here, so the head is read once and then kept; it moves only once an insert succeeded (one
 * statement is atomic), so a failed batch leaves no gap and the next batch chains from the last
 * committed entry. The hashing is done here too, off the gateway's thread.
 */
let auditHead: AuditHead | undefined;
async function appendAudit(entries: readonly AuditInput[]): Promise<ChainPlace[]> {
  if (entries.length === 0) return [];
  auditHead ??= auditHeadOf((await db.query<{ seq: string; hash: string }>(READ_AUDIT_HEAD)).rows[0]);
  const out = chainAudit(auditHead, entries);
  await query(INSERT_AUDIT, [JSON.stringify(out)]);
  const last = out[out.length - 1] as AuditEntry;
  auditHead = { seq: last.seq, hash: last.hash };
  return [placeOf(out)];
}

let queue: Promise<unknown> = Promise.resolve();
port.on('message', (m: WorkerRequest) => {
  const work = queue.then(() =>
    m.op === 'query' ? query(m.text, m.params) : m.op === 'appendAudit' ? appendAudit(m.entries) : db.close().then(() => []),
  );
  queue = work.catch(() => undefined);
  work.then(
    (rows) => port.postMessage({ id: m.id, rows } satisfies WorkerReply),
    (err: unknown) => {
      const e = err as { message?: string; code?: string };
      port.postMessage({
        id: m.id,
        error: { message: String(e.message ?? err), ...(typeof e.code === 'string' ? { code: e.code } : {}) },
      } satisfies WorkerReply);
    },
  );
});
port.postMessage({ id: 0, rows: [] } satisfies WorkerReply);
