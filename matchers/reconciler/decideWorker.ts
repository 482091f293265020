/**
 * The piscina worker entry: decides and encodes one batch (see decide.ts), and moves the batch's
 * buffer of decision events to the calling thread rather than copying it.
 */
import { Piscina } from 'piscina';
import decideBatch, { type DecideTask } from './decide.js';

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
