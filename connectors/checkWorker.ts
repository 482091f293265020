/** The piscina worker entry of a CheckPool: checks one chunk and moves its values' buffer to the caller. */
import { moved } from '../lib/threads.js';
import { type CheckTask, checkChunk } from './checkPool.js';

export { threadStarted } from '../lib/threads.js';

export default function checkWorker(task: CheckTask): unknown {
  const r = checkChunk(task);
  return moved(r, r.values.buffer);
}
