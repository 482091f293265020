/**
 * Worker threads through piscina, set up one way: a pool of a fixed number of threads running a
 * TypeScript entry module, and results whose buffers move to the calling thread.
 */
import { Piscina } from 'piscina';

/** A pool of exactly `threads` threads (at least one) running the module at `entry`. */
export function threadPool(entry: URL, threads: number): Piscina {
  const n = Math.max(1, threads);
  return new Piscina({ filename: entry.href, minThreads: n, maxThreads: n, execArgv: ['--import', 'tsx'] });
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
