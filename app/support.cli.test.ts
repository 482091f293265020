/**
 * The support and spot-check commands' contract (issue: 精准帮扶): one JSON line per input line, in
 * order, error lines and exit status as classify; the draw redone from its seed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { business } from '../matchers/testing/fixtures.js';

const cli = (args: string[], input: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, KAFKA_BROKERS: '' },
    timeout: 120_000,
  });
const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('npm run -s cli -- support', () => {
  it('writes one line per input line, in order: the measures, or the error line; exit 1 when a line was rejected', () => {
    const a = business('120101');
    const b = business('110109');
    const input = [JSON.stringify(a), '{"creditCode":"x"}', 'not json', JSON.stringify(b)].join('\n');
    const r = cli(['support', '--as-of', '2025-08-15'], `${input}\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('2 of 4 lines rejected');
    const out = lines(r.stdout);
    expect(out).toHaveLength(4);
    expect(Object.keys(out[0] ?? {})).toEqual(['creditCode', 'type', 'mtyx', 'measures']);
    expect(out[0]).toMatchObject({ creditCode: a.creditCode, type: 'survival', mtyx: null });
    const registration = ((out[0]?.measures ?? []) as Record<string, unknown>[]).find((m) => m.id === 'tj.survival.registration');
    expect(registration).toEqual({
      id: 'tj.survival.registration',
      title: '优化登记、许可服务',
      department: '市市场监管委、相关行政许可部门',
      clause: '津市场监管政务〔2024〕9号 附件1 四(一)1',
      channel: 'department',
      noApplication: true,
      because: [{ predicate: 'type', evidence: { type: 'survival' } }],
    });
    expect(out[1]).toEqual({
      creditCode: 'x',
      line: 2,
      error: { code: 'INVALID_CREDIT_CODE', message: 'creditCode: a credit code has 18 characters, got 1' },
    });
    expect(out[2]).toMatchObject({ line: 3, error: { code: 'INVALID_JSON' } });
    // 门头沟区方案（征求意见稿）'s own measures.
    expect(out[3]).toMatchObject({ creditCode: b.creditCode });
    const mentougou = (out[3]?.measures ?? []) as { id: string }[];
    expect(mentougou.length).toBeGreaterThan(0);
    expect(mentougou.every((m) => m.id.startsWith('mtg.'))).toBe(true);
  });

  it('--recognitions gives a recognised business its category’s measures and its 名特优新 category', () => {
    const a = business('120101');
    const rec = {
      creditCode: a.creditCode,
      operatorId: 'op',
      district: '120101',
      category: 'quality',
      recognisedOn: '2024-11-30',
      validUntil: '2027-11-29',
    };
    const file = `${process.env.TMPDIR ?? '/tmp'}/getihu-recognitions-${process.pid}.jsonl`;
    writeFileSync(file, `${JSON.stringify(rec)}\n`);
    const r = cli(['support', '--as-of', '2025-08-15', '--recognitions', file], `${JSON.stringify(a)}\n`);
    expect(r.status).toBe(0);
    const [out] = lines(r.stdout);
    expect(out?.mtyx).toBe('quality');
    expect(((out?.measures ?? []) as { id: string }[]).map((m) => m.id)).toContain('tj.quality.heritage');
  });
});

describe('npm run -s cli -- spot-check', () => {
  it('writes the drawn list and a summary line per type and period (population, ratio, drawn) with the seed; the same seed draws the same list', () => {
    const input = `${Array.from({ length: 60 }, () => JSON.stringify(business('120101'))).join('\n')}\n`;
    const args = ['spot-check', '--area', '120000', '--year', '2025', '--seed', 'S-2025'];
    const r = cli(args, input);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    const summary = out.filter((l) => 'population' in l);
    // The Tianjin catalogue's plan: survival 5% each half-year, growth 3% and development 2% once a
    // year, 不符合分型条件 8% each quarter.
    expect(summary.map((s) => [s.type, s.period, s.population, s.ratio, s.drawn])).toEqual([
      ['survival', '2025-H1', 60, 0.05, 3],
      ['survival', '2025-H2', 60, 0.05, 3],
      ['growth', '2025', 0, 0.03, 0],
      ['development', '2025', 0, 0.02, 0],
      ['ineligible', '2025-Q1', 0, 0.08, 0],
      ['ineligible', '2025-Q2', 0, 0.08, 0],
      ['ineligible', '2025-Q3', 0, 0.08, 0],
      ['ineligible', '2025-Q4', 0, 0.08, 0],
    ]);
    expect(summary[0]).toMatchObject({ seed: 'S-2025', year: 2025, area: '120000', catalogue: 'tianjin-2024@1' });
    expect(out.filter((l) => 'draw' in l)).toHaveLength(6);
    expect(cli(args, input).stdout).toBe(r.stdout);
  });

  it('makes no draw when a line is rejected (a draw that left a business out could not be redone), exit 1', () => {
    const r = cli(
      ['spot-check', '--area', '120000', '--year', '2025', '--seed', 'S'],
      `${JSON.stringify(business('120101'))}\nnope\n`,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no draw made');
  });

  it('names the option it cannot use', () => {
    const r = cli(['spot-check', '--area', '12', '--year', '2025', '--seed', 'S'], '');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--area: '12'");
  });
});
