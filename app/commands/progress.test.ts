/** The progress line: drawn on a terminal only, with the bytes read and the records handled. */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inputProgress, type ProgressStream } from './progress.js';

function terminal(isTTY: boolean): { out: ProgressStream; text: () => string } {
  const out = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  out.isTTY = isTTY;
  out.columns = 120;
  let text = '';
  out.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  return { out, text: () => text };
}

async function drain(input: Readable, each: (n: number) => void): Promise<void> {
  let n = 0;
  for await (const _chunk of input) each(++n);
}

describe('inputProgress', () => {
  it('on a terminal, ends with every byte of a file of known size and the records handled', async () => {
    const t = terminal(true);
    const input = Readable.from([Buffer.alloc(600, 'a'), Buffer.alloc(400, 'b')]);
    const p = inputProgress('classify', input, 1000, t.out);
    await drain(input, (n) => p.records(n * 10));
    p.stop();
    expect(t.text()).toContain('classify [');
    expect(t.text()).toContain('100% | 1000/1000 bytes | 20 records');
  });

  it('on a terminal, without a size (standard input), counts the bytes read', async () => {
    const t = terminal(true);
    const input = Readable.from([Buffer.alloc(250, 'a'), Buffer.alloc(50, 'b')]);
    const p = inputProgress('recognize', input, undefined, t.out);
    await drain(input, (n) => p.records(n));
    p.stop();
    expect(t.text()).toContain('recognize | 300 bytes | 2 records');
  });

  it('draws nothing on a pipe', async () => {
    const t = terminal(false);
    const input = Readable.from([Buffer.alloc(100, 'a')]);
    const p = inputProgress('classify', input, 100, t.out);
    await drain(input, (n) => p.records(n));
    p.stop();
    expect(t.text()).toBe('');
  });
});
