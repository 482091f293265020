/** The piscina worker entry of a CheckPool: checks one chunk and moves its values' buffer to the caller. */
import { Piscina } from 'piscina';
import { type CheckTask, checkChunk } from './checkPool.js';

export default function checkWorker(task: CheckTask): unknown {
  const r = checkChunk(task);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return r.values.buffer;
    },
    get [Piscina.valueSymbol]() {
      return r;
    },
  } as never);
}
