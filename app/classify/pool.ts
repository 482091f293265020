/**
 * `classify` over the machine's cores: the input is read in chunks of lines, each chunk is typed
 * on a thread of a pool, and the chunks' output is written in input order, so the output is what
 * one thread would write. An input of one chunk or less is typed on this thread: starting a thread
 * costs about a second of a core (lib/threads.ts), more than such an input takes.
 */
import type { Piscina } from 'piscina';
import { ChunkedWriter } from '../../lib/lines.js';
import { startedThreads, threadPool } from '../../lib/threads.js';
import { type ClassifiedChunk, type ClassifyChunk, classifyChunk } from './chunk.js';

/** Lines per chunk: enough that handing a chunk over costs little beside typing it. */
export const CHUNK_LINES = 2000;

/** How the lines are to be typed, less the lines. */
export type ClassifyJob = Omit<ClassifyChunk, 'firstLineNo' | 'lines'>;

/** What a whole input came to. */
export interface ClassifyTotals {
  readonly lines: number;
  readonly rejected: number;
}

/**
 * Types the lines `read` hands over and writes their output to `out`, on `threads` threads (0:
 * on this one). Lines with an internal error are reported on `stderr` by number.
 */
export async function classifyLines(
  job: ClassifyJob,
  threads: number,
  read: (each: (line: string) => Promise<void>) => Promise<void>,
  out: NodeJS.WritableStream & { write(chunk: string): boolean },
  stderr: { write(s: string): unknown } = process.stderr,
): Promise<ClassifyTotals> {
  const writer = new ChunkedWriter(out as never);
  let pool: Piscina | undefined;
  const inFlight: Promise<ClassifiedChunk>[] = [];
  let lines = 0;
  let rejected = 0;
  let chunk: string[] = [];
  let firstLineNo = 1;
  const write = async (r: ClassifiedChunk) => {
    rejected += r.rejected;
    for (const n of r.internal) stderr.write(`getihu: line ${n}: internal error\n`);
    await writer.writeLine(r.text.slice(0, -1));
  };
  const send = async (last: boolean) => {
    if (chunk.length === 0) return;
    const task: ClassifyChunk = { ...job, firstLineNo, lines: chunk };
    firstLineNo += chunk.length;
    chunk = [];
    if (threads <= 0 || (pool === undefined && last)) {
      await write(classifyChunk(task));
      return;
    }
    if (pool === undefined) {
      pool = threadPool(new URL('./worker.ts', import.meta.url), threads);
      await startedThreads(pool, threads);
    }
    const p = pool.run(task) as Promise<ClassifiedChunk>;
    p.catch(() => undefined);
    inFlight.push(p);
    // Each thread busy with one chunk and one waiting; the oldest written as soon as it is done.
    while (inFlight.length > 2 * threads) await write(await (inFlight.shift() as Promise<ClassifiedChunk>));
  };
  try {
    await read(async (line) => {
      lines++;
      chunk.push(line);
      if (chunk.length === CHUNK_LINES) await send(false);
    });
    await send(true);
    while (inFlight.length > 0) await write(await (inFlight.shift() as Promise<ClassifiedChunk>));
    await writer.flush();
  } finally {
    await pool?.destroy();
  }
  return { lines, rejected };
}
