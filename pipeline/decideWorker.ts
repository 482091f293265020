/**
 * The piscina worker entries: by default, decides and encodes one batch (see decide.ts), and
 * moves the batch's buffer of decision events to the calling thread rather than copying it;
 * `prepareShare` reads one share of a run's snapshot (see snapshot.ts).
 */
import { moved } from '../lib/threads.js';
import decideBatch, { type DecideTask } from './decide.js';
import { type PrepareTask, prepareShare as readShare } from './snapshot.js';

export { threadStarted } from '../lib/threads.js';

export default function decideWorker(task: DecideTask): unknown {
  const r = decideBatch(task);
  return moved(r, r.support === undefined ? r.values.buffer : [r.values.buffer, r.support.values.buffer]);
}

/** Reads one share of a run's snapshot; the batches' bytes move to the calling thread. */
export async function prepareShare(task: PrepareTask): Promise<unknown> {
  const r = await readShare(task);
  return moved(
    r,
    r.map((b) => b.utf8.buffer),
  );
}
