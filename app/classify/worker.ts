/** The piscina entry of `classify`'s threads: types one chunk of lines (chunk.ts). */
import { type ClassifiedChunk, type ClassifyChunk, classifyChunk } from './chunk.js';

export { threadStarted } from '../../lib/threads.js';

export default function classifyWorker(task: ClassifyChunk): ClassifiedChunk {
  return classifyChunk(task);
}
