import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openPipeline } from '../matchers/reconciler/pipeline.js';
import { codeIn } from '../matchers/testing/fixtures.js';
import { FEEDS } from './index.js';
import { ingestLines } from './ingest.js';

const CODE = codeIn('120101', 4242);

describe('ingest (embedded)', () => {
  it('accepts a good CSV export with a BOM and quoted JSON cells, and is harmless to re-run', async () => {
    const p = await openPipeline({ mode: 'embedded' });
    const feed = FEEDS.get('market-regulator/market-credit')!;
    const csv = `\uFEFFcredit_code,abnormal_operation,serious_illegal,penalties\n${CODE},是,false,"[{""decidedOn"":""2024-05-01"",""fineOrAbove"":true}]"\n`;
    const once = await ingestLines(Readable.from(csv), 'csv', { bus: p.ctx.bus, codec: p.ctx.codec, feed, source: 'mc.csv' });
    const twice = await ingestLines(Readable.from(csv), 'csv', { bus: p.ctx.bus, codec: p.ctx.codec, feed, source: 'mc.csv' });
    expect([once.accepted, twice.accepted]).toEqual([1, 1]);
    const values = [];
    for await (const b of p.ctx.bus.readSnapshot('getihu.fact.market-credit'))
      for (const r of b) values.push(await p.ctx.codec.decode('getihu.fact.market-credit', r.value!));
    expect(values).toHaveLength(1);
    expect(values[0]).toMatchObject({ abnormalOperation: true, penalties: [{ fineOrAbove: true, repaired: false }] });
    await p.close();
  });

  it('rejects a record too large for a broker message instead of failing the batch', async () => {
    const p = await openPipeline({ mode: 'embedded' });
    const feed = FEEDS.get('ip-office/ip')!;
    const big = JSON.stringify({ creditCode: CODE, trademarksInUse: 1, patents: 0, note: 'x'.repeat(300_000) });
    const s = await ingestLines(Readable.from(`${big}\n{"creditCode":"${CODE}","trademarksInUse":1,"patents":0}\n`), 'jsonl', {
      bus: p.ctx.bus,
      codec: p.ctx.codec,
      feed,
      source: 'ip.jsonl',
      keepOutcomes: true,
    });
    expect(s.outcomes?.map((o) => o.accepted)).toEqual([false, true]);
    await p.close();
  });

  it('refuses a CSV whose first line is not the header', async () => {
    const p = await openPipeline({ mode: 'embedded' });
    const feed = FEEDS.get('ip-office/ip')!;
    await expect(
      ingestLines(Readable.from(`${CODE},1,0\n`), 'csv', {
        bus: p.ctx.bus,
        codec: p.ctx.codec,
        feed,
        source: 'ip.csv',
      }),
    ).rejects.toThrow(/header/);
    await p.close();
  });
});
