/** Line-oriented IO for the JSONL commands: ordered, back-pressured, CRLF-tolerant. */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { GetihuError } from './errors.js';

/** Yields the lines of a stream (without line terminators; a trailing newline ends the last line). */
export async function* readLines(input: Readable): AsyncGenerator<string> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) yield line;
}

/** Buffers output and writes it in chunks, waiting when the destination asks it to. */
export class ChunkedWriter {
  readonly #out: Writable;
  readonly #limit: number;
  #buffer: string[] = [];
  #size = 0;

  constructor(out: Writable, chunkChars = 1 << 16) {
    this.#out = out;
    this.#limit = chunkChars;
  }

  /** Queues one line; resolves at once unless the destination needs draining. */
  async writeLine(line: string): Promise<void> {
    this.#buffer.push(line);
    this.#size += line.length + 1;
    if (this.#size >= this.#limit) await this.flush();
  }

  /** Writes everything queued. */
  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const chunk = `${this.#buffer.join('\n')}\n`;
    this.#buffer = [];
    this.#size = 0;
    if (!this.#out.write(chunk)) await new Promise<void>((resolve) => this.#out.once('drain', resolve));
  }
}

/**
 * An input file named on the command line, opened for reading; its size in bytes beside it.
 * @throws GetihuError `NO_INPUT` (exit 66) naming the option when it is missing or not a file.
 */
export function inputFile(path: string, option: string): { stream: Readable; size: number } {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new GetihuError('NO_INPUT', `${option}: '${path}' is not a file`, { option });
    size = st.size;
  } catch (err) {
    if (err instanceof GetihuError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new GetihuError('NO_INPUT', `${option}: cannot read '${path}' (${code === 'ENOENT' ? 'no such file' : code})`, {
      option,
    });
  }
  return { stream: createReadStream(path), size };
}
