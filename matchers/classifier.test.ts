/** The classify contract (docs/classify.md), through the library and through the real CLI. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../lib/dates.js';
import { Classifier } from './classifier.js';
import { RuleBook } from './ruleSet.js';
import { business, codeIn, withSection } from './testing/fixtures.js';

function cli(args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, ...env },
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    /** stdout as JSON lines (classify, generate). */
    get lines() {
      return r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l));
    },
  };
}

describe('Classifier', () => {
  const c = new Classifier({ asOf: parseIsoDate('2025-08-15'), ruleBook: RuleBook.load() });

  it('answers with the contract fields', () => {
    const r = c.classifyLine(JSON.stringify(withSection(business('120101'), 'ip', { patents: 1 })), 1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.decision).slice(0, 3)).toEqual(['creditCode', 'region', 'ruleset']);
    expect(r.decision).toMatchObject({
      region: '120101',
      ruleset: 'tianjin-2024@1',
      type: 'development',
      label: '发展型',
      mtyxBasicEligible: true,
    });
    for (const reason of r.decision.reasons) {
      expect(typeof reason.criterion).toBe('string');
      expect(typeof reason.met).toBe('boolean');
      expect(reason.evidence).toBeTypeOf('object');
    }
  });

  it('uses regionCode when given, else characters 3–8 of the code', () => {
    const moved = { ...business('120101'), regionCode: '110105' };
    const r = c.classifyLine(JSON.stringify(moved), 1);
    expect(r.ok && r.decision).toMatchObject({ region: '110105', ruleset: 'beijing-2024@1' });
  });

  it.each([
    ['not JSON', 'not json', 'INVALID_JSON'],
    ['a JSON array', '[1,2]', 'INVALID_INPUT'],
    ['an empty line', '', 'EMPTY_LINE'],
    ['a bad check character', JSON.stringify({ ...business('120101'), creditCode: '92120101MA05T8WQ3X' }), 'INVALID_CREDIT_CODE'],
    [
      'an enterprise (91) code',
      JSON.stringify({ ...business('120101'), creditCode: '91330100799655058B' }),
      'NOT_INDIVIDUAL_BUSINESS',
    ],
    ['a region code of no province', JSON.stringify({ ...business('120101'), regionCode: '99' }), 'INVALID_REGION_CODE'],
    [
      '29 February 2023',
      JSON.stringify(withSection(business('120101'), 'registration', { establishedOn: '2023-02-29' })),
      'INVALID_DATE',
    ],
    ['month 13', JSON.stringify(withSection(business('120101'), 'tax', { registeredOn: '2023-13-01' })), 'INVALID_DATE'],
    [
      '31 April in a penalty',
      JSON.stringify(
        withSection(business('120101'), 'marketCredit', { penalties: [{ decidedOn: '2024-04-31', fineOrAbove: true }] }),
      ),
      'INVALID_DATE',
    ],
    [
      'an unknown status',
      JSON.stringify(withSection(business('120101'), 'registration', { status: 'sleeping' })),
      'INVALID_INPUT',
    ],
    [
      'a negative headcount',
      JSON.stringify(withSection(business('120101'), 'socialInsurance', { insuredHeadcount: -1 })),
      'INVALID_INPUT',
    ],
    [
      'an establishment after the as-of date',
      JSON.stringify(withSection(business('120101'), 'registration', { establishedOn: '2025-09-01' })),
      'ESTABLISHED_AFTER_AS_OF',
    ],
  ])('rejects %s with %s', (_label, line, code) => {
    const r = c.classifyLine(line, 7);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ line: 7, error: { code } });
    expect(r.error.error.message.length).toBeGreaterThan(0);
  });

  it('keeps the credit code on an error line when the record has one', () => {
    const r = c.classifyLine(JSON.stringify({ creditCode: 'XYZ' }), 3);
    expect(r).toMatchObject({ ok: false, error: { creditCode: 'XYZ', line: 3, error: { code: 'INVALID_CREDIT_CODE' } } });
  });
});

describe('npm run cli -- classify', () => {
  it('writes one line per input line, in order, and exits 0 when all are good', () => {
    const input = [business('120101'), business('110108'), business('130102')].map((b) => JSON.stringify(b)).join('\n');
    const r = cli(['classify', '--as-of', '2025-08-15'], `${input}\n`);
    expect(r.status).toBe(0);
    expect(r.lines.map((l) => l.region)).toEqual(['120101', '110108', '130102']);
  });

  it('goes on past bad lines, reports each with its line number, and exits non-zero', () => {
    const good = JSON.stringify(business('120101'));
    const r = cli(['classify', '--as-of', '2025-08-15'], `${good}\r\n{oops\n${good}\n{"creditCode":"${codeIn('120101')}"}\n`);
    expect(r.status).not.toBe(0);
    expect(r.lines).toHaveLength(4);
    expect(r.lines[0].type).toBe('survival');
    expect(r.lines[1]).toMatchObject({ line: 2, error: { code: 'INVALID_JSON' } });
    expect(r.lines[2].type).toBe('survival');
    expect(r.lines[3].type).toBe('ineligible');
  });

  it('applies --ruleset to every line, and refuses an unknown one by name', () => {
    const r = cli(['classify', '--as-of', '2025-08-15', '--ruleset', 'tianjin-2024'], `${JSON.stringify(business('110108'))}\n`);
    expect(r.lines[0].ruleset).toBe('tianjin-2024@1');
    const bad = cli(['classify', '--as-of', '2025-08-15', '--ruleset', 'mars-2024'], '');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/UNKNOWN_RULESET.*beijing-2024@1/);
  });

  it('--reasons failed keeps only the criteria not met, --reasons none leaves the field out, and a bad value is refused', () => {
    const input = `${JSON.stringify(business('120101'))}\n`;
    const all = cli(['classify', '--as-of', '2025-08-15'], input).lines[0];
    const reasons = all.reasons as { criterion: string; met: boolean }[];
    // A survival business meets some criteria and fails others: both kinds are there to filter.
    expect(all.type).toBe('survival');
    expect(reasons.some((r) => r.met)).toBe(true);
    expect(reasons.some((r) => !r.met)).toBe(true);
    const failed = cli(['classify', '--as-of', '2025-08-15', '--reasons', 'failed'], input).lines[0];
    expect(failed.reasons).toEqual(reasons.filter((r) => !r.met));
    const { reasons: _all, ...rest } = all;
    const none = cli(['classify', '--as-of', '2025-08-15', '--reasons', 'none'], input);
    expect(none.status).toBe(0);
    expect(none.lines[0]).toEqual(rest);
    expect(none.stdout.length).toBeLessThan(JSON.stringify(all).length / 2);
    const bad = cli(['classify', '--as-of', '2025-08-15', '--reasons', 'some'], input);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--reasons: all, failed or none, got 'some'");
  });

  it('refuses an impossible --as-of', () => {
    const r = cli(['classify', '--as-of', '2025-02-30'], '');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/INVALID_DATE/);
  });

  it('accepts a checksum-failing code only when the configured allow-list names it, with a warning', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const bad = '92120101MA05T8WQ3X';
    const dir = mkdtempSync(join(tmpdir(), 'getihu-'));
    const cfg = join(dir, 'config.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        creditCodes: { checksumAllowList: [{ code: bad, reason: 'early code issued before the check was enforced' }] },
      }),
    );
    const line = `${JSON.stringify({ ...business('120101'), creditCode: bad })}\n`;
    expect(cli(['classify', '--as-of', '2025-08-15'], line).lines[0].error.code).toBe('INVALID_CREDIT_CODE');
    const r = cli(['classify', '--as-of', '2025-08-15'], line, { GETIHU_CONFIG: cfg });
    expect(r.status).toBe(0);
    expect(r.lines[0]).toMatchObject({ creditCode: bad, warnings: ['CREDIT_CODE_CHECKSUM_ALLOWLISTED'] });
  });

  it('generate is deterministic per seed, and its output classifies without errors', () => {
    const a = cli(['generate', '--region', 'hebei', '--businesses', '300', '--seed', '42'], '');
    const b = cli(['generate', '--region', 'hebei', '--businesses', '300', '--seed', '42'], '');
    expect(a.stdout).toBe(b.stdout);
    expect(a.lines).toHaveLength(300);
    expect(new Set(a.lines.map((l) => l.creditCode)).size).toBe(300);
    const r = cli(['classify', '--as-of', '2025-08-15'], a.stdout);
    expect(r.status).toBe(0);
    const types = new Set(r.lines.map((l) => l.type));
    expect([...types].sort()).toEqual(['development', 'growth', 'ineligible', 'survival']);
  });

  it('recognize runs a round from generated data, reports quota use, and names bad input lines', () => {
    const data = cli(['generate', '--region', 'beijing', '--businesses', '3000', '--seed', '5'], '').stdout;
    const r = cli(['recognize', '--area', '110000', '--as-of', '2025-08-15'], data);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.quota.length).toBeGreaterThan(1); // Beijing: one quota unit per district
    for (const q of out.quota) expect(q.recognisedThisRound + q.heldBefore).toBeLessThanOrEqual(q.limit);
    expect(out.counts.recognised).toBeGreaterThan(0);
    const recognised = out.candidates.filter((c: { recognised: boolean }) => c.recognised);
    // Decided on 30 November 2025: valid to 2028-11-30 (民法典 第二百零一、二百零二条), benefits from 2026-01-01.
    expect(recognised.length).toBeGreaterThan(0);
    for (const c of recognised as { category: string | null; validFrom: string; validUntil: string; benefitsFrom: string }[])
      expect(c).toMatchObject({
        category: expect.any(String),
        validFrom: '2025-11-30',
        validUntil: '2028-11-30',
        benefitsFrom: '2026-01-01',
      });
    const bad = cli(
      ['recognize', '--area', '110000', '--as-of', '2025-08-15', '--summary'],
      `${data.split('\n')[0]}\n{oops\n{"creditCode":"x"}\n`,
    );
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).invalidLines.map((l: { line: number }) => l.line)).toEqual([2, 3]);
  });
});
