/** The command line's answers to a caller's mistakes: exit codes and messages that name the option. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAFKA_BROKERS: '' },
    timeout: 60_000,
  });

describe('the CLI', () => {
  it('--version prints the version of package.json', () => {
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });

  it.each([
    [['classify', '--as-of', '2025-08-15', '--input', 'no/such.jsonl'], '--input'],
    [['recognize', '--area', '110109', '--as-of', '2025-08-15', '--input', 'no/such.jsonl'], '--input'],
    [['ingest', '--feed', 'tax/tax', '--file', 'no/such.csv'], '--file'],
  ])('a missing input file exits 66 naming the option: %s', (args, option) => {
    const r = cli(args);
    expect(r.status).toBe(66);
    expect(r.stderr).toContain(`NO_INPUT: ${option}: cannot read 'no/such.`);
    expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
  });

  it('audit verify refuses a folder that holds no database instead of answering ok', () => {
    const dir = mkdtempSync(join(tmpdir(), 'getihu-empty-'));
    const r = cli(['audit', 'verify', '--pglite', dir]);
    expect(r.status).toBe(66);
    expect(r.stderr).toContain('holds no database');
  });

  it('export-feeds writes each agency file from JSON lines read as they come, one registration per business', () => {
    const dir = mkdtempSync(join(tmpdir(), 'getihu-export-'));
    const generated = cli(['generate', '--region', 'tianjin', '--businesses', '3', '--seed', '5']);
    expect(generated.status).toBe(0);
    const input = join(dir, 'businesses.jsonl');
    writeFileSync(input, generated.stdout);
    const codes = generated.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { creditCode: string }).creditCode);
    const r = cli(['export-feeds', '--out', join(dir, 'feeds'), '--as-of', '2025-08-15', '--input', input]);
    expect(r.status).toBe(0);
    const registration = join(dir, 'feeds', 'market-regulator__registration.csv');
    expect(r.stdout).toContain(`market-regulator/registration\t3\t${registration}`);
    const lines = readFileSync(registration, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const [i, code] of codes.entries()) expect(lines[i + 1]).toContain(code);
  });
});
