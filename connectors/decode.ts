/**
 * The lines of an export file, decoded from its bytes: UTF-8 or GB18030 (which contains GBK),
 * stated or detected. A line whose bytes are not valid in the encoding is given as its bytes with
 * the reason, never as text with replacement characters. Lines end at LF (a CR before it is
 * dropped); in both encodings the byte 0x0A is only ever a line feed.
 */
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { GetihuError } from '../lib/errors.js';
import type { TextEncoding } from './profile.js';

/** One line of an export: its text, or its bytes and why they are no text. */
export type DecodedLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly bytes: Buffer; readonly error: GetihuError };

/** How much of a file is looked at to tell its encoding. */
const SNIFF_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The encoding of a file's start: UTF-8 when its complete lines (or all of it, at the end of the
 * file) are valid UTF-8, else GB18030.
 */
export function sniffEncoding(start: Buffer, atEnd: boolean): TextEncoding {
  if (start.subarray(0, 3).equals(UTF8_BOM)) return 'utf-8';
  const end = atEnd ? start.length : start.lastIndexOf(LF) + 1;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(start.subarray(0, end > 0 ? end : start.length), { stream: !atEnd });
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** What the reader learnt of the file's encoding. */
export interface EncodingFound {
  readonly encoding: TextEncoding;
  readonly detected: boolean;
}

/**
 * Yields the lines of an export as text in `encoding` (or the one detected), each numbered by its
 * physical line. `onEncoding` is told the encoding before the first line.
 */
export async function* decodedLines(
  input: Readable,
  encoding: 'auto' | TextEncoding,
  onEncoding: (found: EncodingFound) => void = () => undefined,
): AsyncGenerator<DecodedLine> {
  let decoder: TextDecoder | undefined;
  let used: TextEncoding | undefined;
  let line = 0;
  let first = true;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const start = (bytes: Buffer, atEnd: boolean) => {
    used = encoding === 'auto' ? sniffEncoding(bytes, atEnd) : encoding;
    decoder = new TextDecoder(used, { fatal: true, ignoreBOM: true });
    onEncoding({ encoding: used, detected: encoding === 'auto' });
  };

  /** The lines of a run of whole lines: decoded at once, or one by one when any is not valid. */
  function* linesOf(bytes: Buffer): Generator<DecodedLine> {
    let block = bytes;
    if (first) {
      first = false;
      if (used === 'utf-8' && block.subarray(0, 3).equals(UTF8_BOM)) block = block.subarray(3);
    }
    let text: string | undefined;
    try {
      text = (decoder as TextDecoder).decode(block);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const parts = text.split('\n');
      parts.pop();
      for (const t of parts) yield { line: ++line, text: t.endsWith('\r') ? t.slice(0, -1) : t };
      return;
    }
    let from = 0;
    while (from < block.length) {
      const lf = block.indexOf(LF, from);
      const to = lf < 0 ? block.length : lf;
      const raw = block.subarray(from, to > from && block[to - 1] === CR ? to - 1 : to);
      line++;
      try {
        yield { line, text: (decoder as TextDecoder).decode(raw) };
      } catch {
        yield {
          line,
          bytes: Buffer.from(raw),
          error: new GetihuError('INVALID_ENCODING', `line ${line} is not valid ${used} text`),
        };
      }
      from = to + 1;
    }
  }

  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    pending.push(buf);
    pendingBytes += buf.length;
    if (decoder === undefined) {
      if (pendingBytes < SNIFF_BYTES) continue;
      start(Buffer.concat(pending), false);
    }
    const lastLf = buf.lastIndexOf(LF);
    if (lastLf < 0) continue;
    const all = pending.length === 1 ? buf : Buffer.concat(pending);
    const cut = all.length - (buf.length - lastLf) + 1;
    yield* linesOf(all.subarray(0, cut));
    const rest = all.subarray(cut);
    pending = rest.length === 0 ? [] : [rest];
    pendingBytes = rest.length;
  }
  const tail = Buffer.concat(pending);
  if (decoder === undefined) start(tail, true);
  if (tail.length > 0) yield* linesOf(Buffer.concat([tail, Buffer.from([LF])]));
}
