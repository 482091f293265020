/**
 * Progress of a command that reads a large input, on the terminal: the bytes read of the input
 * (of its size, when it is a file) and the records handled so far. Nothing is drawn unless the
 * stream is a terminal, so a pipe or a log never receives the bar's control characters.
 */
import type { Readable } from 'node:stream';
import { SingleBar } from 'cli-progress';

/** A progress line: `records(n)` as records are handled, `stop()` at the end (or on an error). */
export interface Progress {
  records(n: number): void;
  stop(): void;
}

/** What the bar writes to: standard error, or (in a test) any stream that says it is a terminal. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * Follows `input` (of `size` bytes when known) for the command `label`; draws on `out` only when
 * it is a terminal.
 */
export function inputProgress(
  label: string,
  input: Readable,
  size: number | undefined,
  out: ProgressStream = process.stderr,
): Progress {
  if (out.isTTY !== true) return { records: () => undefined, stop: () => undefined };
  const known = size !== undefined && size > 0;
  const bar = new SingleBar({
    format: known
      ? `${label} [{bar}] {percentage}% | {value}/{total} bytes | {records} records`
      : `${label} | {value} bytes | {records} records`,
    stream: out,
    fps: 5,
  });
  let bytes = 0;
  let records = 0;
  bar.start(known ? size : 0, 0, { records });
  const onData = (chunk: Buffer | string) => {
    bytes += chunk.length;
  };
  input.on('data', onData);
  let stopped = false;
  return {
    records: (n) => {
      records = n;
      bar.update(bytes, { records });
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      input.off('data', onData);
      bar.update(known ? size : bytes, { records });
      bar.stop();
    },
  };
}
