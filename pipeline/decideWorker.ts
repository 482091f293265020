/**
 * The piscina worker entries: by default, decides and encodes one batch (see decide.ts), and
 * moves the batch's buffer of decision events to the calling thread rather than copying it;
 * `decideShare` reads and decides one share of a run's snapshot (see snapshot.ts).
 */
import { moved } from '../lib/threads.js';
import decideBatch, { type DecideTask } from './decide.js';
import { decideShare as readAndDecide, type ShareTask } from './snapshot.js';

export { threadStarted } from '../lib/threads.js';

export default function decideWorker(task: DecideTask): unknown {
  const r = decideBatch(task);
  return moved(r, r.support === undefined ? r.values.buffer : [r.values.buffer, r.support.values.buffer]);
}

/** Reads and decides one share of a run's snapshot; the events' buffers move to the calling thread. */
export async function decideShare(task: ShareTask): Promise<unknown> {
  const decided = await readAndDecide(task);
  return moved(
    decided,
    decided.flatMap(({ r }) => (r.support === undefined ? [r.values.buffer] : [r.values.buffer, r.support.values.buffer])),
  );
}
