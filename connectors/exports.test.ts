/**
 * Agencies' real exports: a GB18030/GBK CSV and an `.xlsx` workbook with Chinese headers, 是/否,
 * status words, slashed and compact dates and grouped amounts ingest to the very facts today's
 * UTF-8 export gives; a line that is no text in its encoding is a dead letter with its bytes.
 * The Chinese files are written here, with iconv-lite and write-excel-file, from the UTF-8
 * export by a header table of this test's own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { EmbeddedBus } from '../lib/bus/index.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { TOPICS } from '../lib/topics.js';
import { ensurePipelineTopics } from '../pipeline/reconciler.js';
import { Codec, LocalSchemaStore } from '../schemas/codec.js';
import { exportFeeds } from './exportFeeds.js';
import { FEEDS, type IngestSummary, ingestLines, parseProfile, statedProfile } from './index.js';
import type { FileFormat } from './ingest.js';

/** How a Chinese agency heads the columns of its export. */
const CHINESE_HEADERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'market-regulator/registration': {
    credit_code: '统一社会信用代码',
    name: '个体工商户名称',
    region_code: '行政区划代码',
    operator_id: '经营者证件号码',
    status: '登记状态',
    established_on: '成立日期',
    seasonal: '是否季节性经营',
    suspended_until: '歇业期满日期',
  },
  'market-regulator/annual-report': {
    credit_code: '统一社会信用代码',
    year: '年度',
    filed: '年报状态',
    revenue_yuan: '营业额（元）',
  },
  'tax/tax': {
    credit_code: '统一社会信用代码',
    year: '年度',
    registered_on: '税务登记日期',
    non_normal: '是否非正常户',
    general_taxpayer: '纳税人资格类型',
    vat_paid_yuan: '增值税(元)',
    iit_paid_yuan: '个人所得税(元)',
  },
  'social-insurance/headcount': { credit_code: '统一社会信用代码', year: '年度', insured_headcount: '参保人数' },
  'ip-office/ip': { credit_code: '统一社会信用代码', trademarks_in_use: '有效注册商标数', patents: '有效专利数' },
};

/** How the same agency writes a value of a column (the UTF-8 export's value in, the agency's out). */
function chineseValue(header: string, v: string, row: number): string {
  if (v === '') return v;
  if (header === 'status') return { active: '存续', revoked: '吊销', cancelled: '注销', withdrawn: '撤销' }[v] ?? v;
  if (header === 'filed') return v === 'true' ? '已报送' : '未报送';
  if (header === 'general_taxpayer') return v === 'true' ? '一般纳税人' : '小规模纳税人';
  if (v === 'true' || v === 'false') return v === 'true' ? '是' : '否';
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  // Dates alternate between the slashed form without leading zeros and the compact form.
  if (date !== null) return row % 2 === 0 ? `${date[1]}/${Number(date[2])}/${Number(date[3])}` : `${date[1]}${date[2]}${date[3]}`;
  if (/^\d{4,}(\.\d+)?$/.test(v) && header.endsWith('_yuan')) {
    const [whole, frac] = v.split('.');
    return `${(whole as string).replace(/\B(?=(\d{3})+$)/g, ',')}${frac === undefined ? '' : `.${frac}`}`;
  }
  return v;
}

/** A UTF-8 export's rows as the Chinese agency's: header and values rewritten. */
function chineseRows(feedKey: string, csv: string): string[][] {
  const [header, ...rows] = parse(csv) as string[][];
  const names = CHINESE_HEADERS[feedKey] as Record<string, string>;
  return [
    (header as string[]).map((h) => names[h] ?? h),
    ...rows.map((r, i) => r.map((v, j) => chineseValue((header as string[])[j] as string, v, i))),
  ];
}

/** Decoded facts of a feed's topic by key, without their provenance (which names the file). */
async function factsOf(bus: EmbeddedBus, codec: Codec, topic: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for await (const b of bus.readSnapshot(topic))
    for (const r of b) {
      const { source: _source, ...fact } = (await codec.decode(topic, r.value as Buffer)) as Record<string, unknown>;
      out.set(r.key as string, fact);
    }
  return out;
}

async function ingestInto(
  feedKey: string,
  input: Readable,
  format: FileFormat,
  extra: Partial<Parameters<typeof ingestLines>[2]> = {},
): Promise<{ summary: IngestSummary; facts: Map<string, unknown>; dead: unknown[] }> {
  const feed = FEEDS.get(feedKey)!;
  const ctx = { bus: new EmbeddedBus(), codec: await Codec.create(new LocalSchemaStore()), prefix: '', partitions: 3 };
  await ensurePipelineTopics(ctx);
  const summary = await ingestLines(input, format, { bus: ctx.bus, codec: ctx.codec, feed, source: 'export', ...extra });
  const dead: unknown[] = [];
  for await (const b of ctx.bus.readSnapshot(TOPICS.deadLetter.name))
    for (const r of b) dead.push(await ctx.codec.decode(TOPICS.deadLetter.name, r.value as Buffer));
  return { summary, facts: await factsOf(ctx.bus, ctx.codec, TOPICS[feed.topic].name), dead };
}

describe("agencies' real exports (GB18030/GBK CSV, .xlsx, Chinese headers and values)", () => {
  let dir: string;
  let files: Map<string, { file: string; records: number }>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'getihu-exports-'));
    files = await exportFeeds(generateBusinesses({ region: 'beijing', businesses: 80, seed: 34 }), 2024, dir, 'csv');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(CHINESE_HEADERS))(
    '%s: a GBK CSV with Chinese headers ingests to the same facts as the UTF-8 export',
    async (feedKey) => {
      const utf8 = readFileSync(files.get(feedKey)!.file, 'utf8');
      const gbk = iconv.encode(stringify(chineseRows(feedKey, utf8)), 'gbk');
      // The file really is GBK: not valid UTF-8 once it holds Chinese.
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
      const today = await ingestInto(feedKey, Readable.from(utf8), 'csv');
      const chinese = await ingestInto(feedKey, Readable.from(gbk), 'csv');
      expect(today.summary.rejected).toBe(0);
      expect(chinese.summary).toMatchObject({
        read: today.summary.read,
        accepted: today.summary.accepted,
        rejected: 0,
        file: { format: 'csv', profile: 'standard', encoding: 'gb18030', encodingDetected: true },
      });
      expect(chinese.facts).toEqual(today.facts);
    },
  );

  it.each(Object.keys(CHINESE_HEADERS))(
    '%s: an .xlsx workbook with Chinese headers, date and number cells ingests to the same facts as the UTF-8 export',
    async (feedKey) => {
      const utf8 = readFileSync(files.get(feedKey)!.file, 'utf8');
      const [header, ...rows] = chineseRows(feedKey, utf8);
      const own = (parse(utf8) as string[][])[0] as string[];
      // Dates as date cells, amounts and counts as number cells, the rest as text.
      const cell = (j: number, v: string) => {
        const column = FEEDS.get(feedKey)!.columns.find((c) => c.header === own[j]);
        if (v === '') return null;
        if (column?.kind === 'date') {
          const [y, m, d] = (v.includes('/') ? v.split('/') : [v.slice(0, 4), v.slice(4, 6), v.slice(6)]).map(Number);
          return { value: new Date(Date.UTC(y as number, (m as number) - 1, d)), type: Date, format: 'yyyy-mm-dd' };
        }
        if (column?.kind === 'int' || column?.kind === 'number') return { value: Number(v.replace(/,/g, '')), type: Number };
        return { value: v, type: String };
      };
      const sheet = [
        (header as string[]).map((h) => ({ value: h, type: String })),
        ...rows.map((r) => r.map((v, j) => cell(j, v))),
      ];
      const file = join(dir, `${feedKey.replace('/', '__')}.xlsx`);
      await writeXlsxFile(sheet as never).toFile(file);
      const today = await ingestInto(feedKey, Readable.from(utf8), 'csv');
      const workbook = await ingestInto(feedKey, Readable.from(readFileSync(file)), 'xlsx');
      expect(workbook.summary).toMatchObject({
        read: today.summary.read,
        accepted: today.summary.accepted,
        rejected: 0,
        file: { format: 'xlsx', profile: 'standard' },
      });
      expect(workbook.facts).toEqual(today.facts);
    },
  );

  it('a GBK line whose bytes are no GBK text is a dead letter keeping those bytes; the lines around it are facts', async () => {
    const feedKey = 'market-regulator/registration';
    const rows = chineseRows(feedKey, readFileSync(files.get(feedKey)!.file, 'utf8'));
    const good = iconv.encode(stringify(rows.slice(0, 3)), 'gbk');
    const last = iconv.encode(stringify(rows.slice(3, 4)), 'gbk');
    // 0x81 opens a two-byte GBK character; 0x0D 0x0A cannot close it.
    const broken = Buffer.concat([iconv.encode(`${(rows[4] as string[])[0]},张`, 'gbk'), Buffer.from([0x81])]);
    const file = Buffer.concat([good, broken, Buffer.from('\r\n'), last]);
    const r = await ingestInto(feedKey, Readable.from(file), 'csv', { keepOutcomes: true });
    expect(r.summary.outcomes?.map((o) => [o.line, o.accepted, o.reasonCode])).toEqual([
      [2, true, undefined],
      [3, true, undefined],
      [4, false, 'INVALID_ENCODING'],
      [5, true, undefined],
    ]);
    expect(r.dead).toHaveLength(1);
    expect(Buffer.from((r.dead[0] as { original: Uint8Array }).original)).toEqual(broken);
    for (const f of r.facts.values()) expect(JSON.stringify(f)).not.toContain('\uFFFD');
  });

  it('a GBK file read as stated UTF-8 gives dead letters with their bytes, never replacement characters', async () => {
    const feedKey = 'market-regulator/registration';
    const rows = chineseRows(feedKey, readFileSync(files.get(feedKey)!.file, 'utf8'));
    const headerUtf8 = Buffer.from(stringify(rows.slice(0, 1)));
    const body = iconv.encode(stringify(rows.slice(1, 6)), 'gbk');
    const r = await ingestInto(feedKey, Readable.from(Buffer.concat([headerUtf8, body])), 'csv', {
      profile: parseProfile({ name: 'utf8-stated', encoding: 'utf-8' }, FEEDS.get(feedKey)!),
    });
    expect(r.summary.file).toEqual({ format: 'csv', profile: 'utf8-stated', encoding: 'utf-8', encodingDetected: false });
    expect(r.summary.accepted).toBe(0);
    expect(r.summary.rejectedByReason).toEqual({ INVALID_ENCODING: 5 });
    expect(r.facts.size).toBe(0);
  });

  it("a profile file names the agency's own headers and values, and one naming no column of the feed is refused by its field", async () => {
    const feedKey = 'tax/tax';
    const feed = FEEDS.get(feedKey)!;
    const utf8 = readFileSync(files.get(feedKey)!.file, 'utf8');
    const [header, ...rows] = parse(utf8) as string[][];
    const own: Record<string, string> = { credit_code: '纳税人识别号', non_normal: '户籍状态' };
    const csv = stringify([
      (header as string[]).map((h) => own[h] ?? h),
      ...rows.map((r) => r.map((v, j) => ((header as string[])[j] === 'non_normal' ? (v === 'true' ? '非正常' : '正常') : v))),
    ]);
    const profile = parseProfile(
      {
        name: 'tax-guangdong',
        headers: { 纳税人识别号: 'credit_code', 户籍状态: 'non_normal' },
        values: { non_normal: { 非正常: 'true', 正常: 'false' } },
      },
      feed,
    );
    const today = await ingestInto(feedKey, Readable.from(utf8), 'csv');
    const theirs = await ingestInto(feedKey, Readable.from(csv), 'csv', { profile });
    expect(theirs.summary).toMatchObject({ rejected: 0, file: { profile: 'tax-guangdong', encoding: 'utf-8' } });
    expect(theirs.facts).toEqual(today.facts);
    expect(() => parseProfile({ name: 'x', headers: { 税号: 'tax_id' } }, feed)).toThrow(
      /headers\.税号: 'tax_id' is not a column/,
    );
    expect(() => parseProfile({ name: 'x', dates: ['DD/MM/YYYY'] }, feed)).toThrow(/profile dates\.0/);
  });

  it('ingest --encoding states the encoding over the profile; GBK is read as GB18030, and an unknown one is refused naming the option', () => {
    const feed = FEEDS.get('tax/tax')!;
    expect(statedProfile(feed, undefined, 'GBK')).toMatchObject({ name: 'standard', encoding: 'gb18030' });
    expect(statedProfile(feed, undefined, 'utf8').encoding).toBe('utf-8');
    expect(() => statedProfile(feed, undefined, 'big5')).toThrow(/--encoding: auto, utf-8 or gb18030 \(gbk\), got 'big5'/);
  });

  it('a date a profile does not accept, or no calendar day, is refused naming the field', async () => {
    const feedKey = 'market-regulator/registration';
    const feed = FEEDS.get(feedKey)!;
    const utf8 = readFileSync(files.get(feedKey)!.file, 'utf8');
    const [header, first] = parse(utf8) as string[][];
    const at = (header as string[]).indexOf('established_on');
    const row = (d: string) => (first as string[]).map((v, j) => (j === at ? d : v));
    writeFileSync(join(dir, 'dates.csv'), stringify([header as string[], row('2013/2/30'), row('20131021')]));
    const r = await ingestInto(feedKey, Readable.from(readFileSync(join(dir, 'dates.csv'))), 'csv', {
      keepOutcomes: true,
      profile: parseProfile({ name: 'dashes-only', dates: ['YYYY-MM-DD'] }, feed),
    });
    expect(r.summary.outcomes?.map((o) => o.reason)).toEqual([
      "establishedOn: '2013/2/30' is not a calendar date in the form YYYY-MM-DD",
      "establishedOn: '20131021' is not a calendar date in the form YYYY-MM-DD",
    ]);
  });
});
