/**
 * Worker threads through piscina, set up one way: a pool of a fixed number of threads running a
 * TypeScript entry module, and results whose buffers move to the calling thread.
 */
import { threadId } from 'node:worker_threads';
import { Piscina } from 'piscina';

/** A pool of exactly `threads` threads (at least one) running the module at `entry`. */
export function threadPool(entry: URL, threads: number): Piscina {
  const n = Math.max(1, threads);
  return new Piscina({ filename: entry.href, minThreads: n, maxThreads: n, execArgv: ['--import', 'tsx'] });
}

/**
 * What a pool's entry module exports as `threadStarted` (`export { threadStarted } from
 * '…/lib/threads.js'`): answers the thread's id once the module has loaded.
 */
export function threadStarted(): number {
  return threadId;
}

/**
 * Resolves once every one of the pool's `threads` threads has loaded its entry module, and answers
 * their ids. A thread starting takes about a second of a core (Node's start, then the module graph
 * through tsx), so a long-lived process waits for this before its first batch rather than during it.
 * Each thread takes one task at a time and is idle, so the `threads` tasks land one on each.
 */
export async function startedThreads(pool: Piscina, threads: number): Promise<number[]> {
  return (await Promise.all(
    Array.from({ length: Math.max(1, threads) }, () => pool.run(undefined, { name: 'threadStarted' })),
  )) as number[];
}

/**
 * A worker's result whose buffers move to the calling thread instead of being copied. Each must
 * be a buffer of its own (never a slice of Node's shared pool), since the worker gives it away.
 */
export function moved(value: unknown, buffers: ArrayBufferLike | readonly ArrayBufferLike[]): unknown {
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return buffers;
    },
    get [Piscina.valueSymbol]() {
      return value;
    },
  } as never);
}
