/** `classify` on the machine's cores: chunks of lines typed on a pool's threads, written in order. */
export { type ClassifiedChunk, type ClassifyChunk, classifyChunk, type ReasonsShown, withReasons } from './chunk.js';
export { CHUNK_LINES, type ClassifyJob, type ClassifyTotals, classifyLines } from './pool.js';
