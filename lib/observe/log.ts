/**
 * The one logger: pino, JSON lines on stderr (stdout is for a command's answer). `GETIHU_LOG`
 * sets the level (default `info`; `silent` in tests that count lines of their own). Every part
 * takes a child named for itself, so a line says which consumer, job or route wrote it.
 */
import { pino } from 'pino';

const level = process.env.GETIHU_LOG ?? (process.env.VITEST === 'true' ? 'warn' : 'info');

/**
 * The process's logger. Lines are written without blocking the thread: while one write is under
 * way the next lines gather and go out together in the following one, so a busy gateway makes one
 * system call per batch of lines rather than one per request, and a quiet one writes each line at
 * once. pino flushes what is still buffered when the process exits.
 */
export const log = pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));

/** A logger for one part of the system (`component` on every line). */
export function logger(component: string): pino.Logger {
  return log.child({ component });
}
