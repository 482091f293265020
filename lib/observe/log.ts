/**
 * The one logger: pino, JSON lines on stderr (stdout is for a command's answer), or appended to the
 * file `GETIHU_LOG_FILE` names. `GETIHU_LOG` sets the level (default `info`; `silent` in tests
 * that count lines of their own). Every part takes a child named for itself, so a line says which
 * consumer, job or route wrote it.
 */
import { pino } from 'pino';

const level = process.env.GETIHU_LOG ?? (process.env.VITEST === 'true' ? 'warn' : 'info');

/**
 * The process's logger. Lines are written without blocking the thread: while one write is under
 * way the next lines gather and go out together in the following one, so a busy gateway makes one
 * system call per batch of lines rather than one per request, and a quiet one writes each line at
 * once. pino flushes what is still buffered when the process exits.
 *
 * A batch is at most 4 KiB (sonic-boom's default is 16 KiB): the writer measures the batch it is
 * adding to on every line, which copies it whole, so a busy gateway copied up to 16 KiB per request
 * (measured: the request log's allocation per bank lookup fell from 5.7 KB to 2.4 KB). 4 KiB is
 * still about 16 lines per system call, and a write to a pipe of at most 4 KiB is never
 * interleaved with another process's.
 */
export const log = pino(
  { level, base: { pid: process.pid } },
  pino.destination({ ...destination(process.env.GETIHU_LOG_FILE), sync: false, maxWrite: 4096 }),
);

/** Where the lines go: stderr, or the file `GETIHU_LOG_FILE` names (appended to; its folder made). */
function destination(file: string | undefined): { fd: number } | { dest: string; mkdir: true; append: true } {
  return file === undefined || file === '' ? { fd: 2 } : { dest: file, mkdir: true, append: true };
}

/** A logger for one part of the system (`component` on every line). */
export function logger(component: string): pino.Logger {
  return log.child({ component });
}
