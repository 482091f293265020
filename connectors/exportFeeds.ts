/**
 * Writes business snapshots as the agencies would export them: one file per feed, CSV (with
 * the feed's header) or JSON lines. Demos, tests and benchmarks ingest these files through the
 * real connectors.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { GetihuError } from '../lib/errors.js';
import { FEEDS } from './index.js';
import { splitBusiness } from './split.js';

/** The file a feed is written to. */
export function feedFileName(feedKey: string, format: 'csv' | 'jsonl'): string {
  return `${feedKey.replace('/', '__')}.${format}`;
}

/**
 * Writes the feeds of `businesses` into `dir`; returns the files and their record counts. The
 * businesses are read as they come and a file that has more waiting to be written than its
 * stream's buffer holds is let drain first, so a register of any size passes through in bounded
 * memory.
 */
export async function exportFeeds(
  businesses: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
  lastYear: number,
  dir: string,
  format: 'csv' | 'jsonl',
): Promise<Map<string, { file: string; records: number }>> {
  await mkdir(dir, { recursive: true });
  const streams = new Map<string, { out: ReturnType<typeof createWriteStream>; records: number; file: string }>();
  const open = (feedKey: string) => {
    let s = streams.get(feedKey);
    if (s === undefined) {
      const feed = FEEDS.get(feedKey);
      if (feed === undefined) throw new GetihuError('INTERNAL', `no feed ${feedKey}`);
      const file = join(dir, feedFileName(feedKey, format));
      const out = createWriteStream(file);
      if (format === 'csv') out.write(stringify([feed.columns.map((c) => c.header)]));
      s = { out, records: 0, file };
      streams.set(feedKey, s);
    }
    return s;
  };
  for await (const b of businesses) {
    for (const { feed: key, row } of splitBusiness(b, lastYear)) {
      const s = open(key);
      s.records++;
      let room: boolean;
      if (format === 'jsonl') {
        room = s.out.write(`${JSON.stringify(row)}\n`);
      } else {
        const feed = FEEDS.get(key)!;
        room = s.out.write(
          stringify([
            feed.columns.map((c) => {
              const v = row[c.field];
              return v == null ? '' : c.kind === 'json' ? JSON.stringify(v) : String(v);
            }),
          ]),
        );
      }
      if (!room) await once(s.out, 'drain');
    }
  }
  await Promise.all(
    [...streams.values()].map(
      (s) => new Promise<void>((resolve, reject) => s.out.end((err?: Error | null) => (err ? reject(err) : resolve()))),
    ),
  );
  return new Map([...streams].map(([k, s]) => [k, { file: s.file, records: s.records }]));
}
