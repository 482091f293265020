/**
 * The embedded store's own thread: PGlite (Postgres compiled to WASM) runs every statement on the
 * thread that owns it, so it lives here and the rest of the process talks to it by message — the
 * gateway and the pipeline keep their thread, and the store's work lands on the other core.
 * Statements run one at a time in arrival order; transactions are bracketed by the caller
 * (see workerSql in store.ts), which holds every other statement back meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** A request from the owning thread. */
export type WorkerRequest =
  | { readonly id: number; readonly op: 'query'; readonly text: string; readonly params: unknown[] }
  | { readonly id: number; readonly op: 'close' };
/** The answer: rows, or the error's message and SQLSTATE. */
export type WorkerReply =
  | { readonly id: number; readonly rows: unknown[] }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

const port = parentPort;
if (port === null) throw new Error('pgliteWorker.ts runs as a worker thread');
const { dataDir } = workerData as { dataDir?: string };
const db = await PGlite.create(dataDir === undefined ? undefined : { dataDir });
port.on('message', (m: WorkerRequest) => {
  const work = m.op === 'query' ? db.query(m.text, m.params).then((r) => r.rows) : db.close().then(() => []);
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
