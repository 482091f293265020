/**
 * The piscina worker entries: by default, decides and encodes one batch (see decide.ts), and
 * moves the batch's buffer of decision events to the calling thread rather than copying it;
 * `prepareShare` reads one share of a run's snapshot (see snapshot.ts).
 */
import { Piscina } from 'piscina';
import decideBatch, { type DecideTask } from './decide.js';
import { type PrepareTask, prepareShare as readShare } from './snapshot.js';

export default function decideWorker(task: DecideTask): unknown {
  const r = decideBatch(task);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return r.values.buffer;
    },
    get [Piscina.valueSymbol]() {
      return r;
    },
  } as never);
}

/** Reads one share of a run's snapshot; the batches' bytes move to the calling thread. */
export async function prepareShare(task: PrepareTask): Promise<unknown> {
  const r = await readShare(task);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return r.batches.map((b) => b.utf8.buffer);
    },
    get [Piscina.valueSymbol]() {
      return r;
    },
  } as never);
}
