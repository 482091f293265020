/**
 * The piscina worker entries: by default, decides and encodes one batch (see decide.ts), and
 * moves the batch's buffer of decision events to the calling thread rather than copying it;
 * `decideShare` reads and decides one share of a run's snapshot, or spreads it over bucket files,
 * and `decideBucket` decides one such bucket (see snapshot.ts).
 */
import { moved } from '../lib/threads.js';
import decideBatch, { type DecideTask } from './decide.js';
import { type BucketTask, decideBucket as bucket, type DecidedBatch, type ShareTask, decideShare as share } from './snapshot.js';

export { threadStarted } from '../lib/threads.js';

export default function decideWorker(task: DecideTask): unknown {
  const r = decideBatch(task);
  return moved(r, r.support === undefined ? r.values.buffer : [r.values.buffer, r.support.values.buffer]);
}

/** Decided batches, their events' buffers moved to the calling thread. */
function movedBatches<T>(value: T, decided: readonly DecidedBatch[]): unknown {
  return moved(
    value,
    decided.flatMap(({ r }) => (r.support === undefined ? [r.values.buffer] : [r.values.buffer, r.support.values.buffer])),
  );
}

/** Reads and decides one share of a run's snapshot (or spreads it over bucket files). */
export async function decideShare(task: ShareTask): Promise<unknown> {
  const result = await share(task);
  return 'decided' in result ? movedBatches(result, result.decided) : result;
}

/** Decides one bucket of a spread share. */
export async function decideBucket(task: BucketTask): Promise<unknown> {
  const decided = await bucket(task);
  return movedBatches(decided, decided);
}
