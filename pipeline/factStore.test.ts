/** The reconciler's state on disk: what it keeps across a reopen, what a checkpoint says, what a release lets go. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { partitionOf } from '../lib/bus/index.js';
import { FactStore } from './factStore.js';
import { assembleInput } from './state.js';

const CODE = '92120101MA05T8WQ38';
const OTHER = '92110105MA01ABCD1X';
const src = (recordId: string, reportedAt: number | null = null) => ({ agency: 'a', feed: 'f', line: 1, recordId, reportedAt });
const reg = (code: string, recordId: string, operatorId: string) => ({
  creditCode: code,
  name: '津门小馆',
  regionCode: code.slice(2, 8),
  operatorId,
  status: 'active',
  // 2020-01-01 as a day number.
  establishedOn: 18_262,
  seasonal: false,
  suspendedUntil: null,
  source: src(recordId),
});
const report = (code: string, year: number, revenueFen: number, recordId: string, reportedAt: number | null = null) => ({
  creditCode: code,
  year,
  filed: true,
  revenueFen,
  source: src(recordId, reportedAt),
});

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'getihu-factstore-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('FactStore', () => {
  it('keeps facts, the operator index, decisions and checkpoints across a reopen', async () => {
    const dir = freshDir();
    const a = await FactStore.open(dir, 12);
    expect(a.apply('registration', reg(CODE, 'r1', 'OP-1'))).toEqual([CODE]);
    expect(a.apply('annualReport', report(CODE, 2025, 1_234_500, 'ar25'))).toEqual([CODE]);
    a.apply('court', { operatorId: 'OP-1', dishonest: true, source: src('c1') });
    a.setDecided(CODE, 'd-1');
    a.read('getihu.fact.registration', 3, 41);
    await a.close();

    const b = await FactStore.open(dir, 12);
    expect(b.businessesOf('OP-1')).toEqual([CODE]);
    expect(b.decided(CODE)).toBe('d-1');
    expect(b.checkpoint('getihu.fact.registration', 3)).toBe(41);
    expect(b.checkpoint('getihu.fact.registration', 4)).toBeUndefined();
    // What the core is given: dates as ISO text, amounts in yuan, the records used.
    const { input, sources } = assembleInput(b, CODE, 2025);
    expect(input).toEqual({
      creditCode: CODE,
      name: '津门小馆',
      regionCode: '120101',
      operatorId: 'OP-1',
      registration: { status: 'active', establishedOn: '2020-01-01', seasonal: false, suspendedUntil: null },
      annualReport: { year: 2025, filed: true, revenueYuan: 12_345 },
      court: { operatorDishonest: true },
    });
    expect(sources).toEqual(['r1', 'ar25', 'c1']);
    // A court fact names the operator's businesses, read back from disk.
    expect(b.apply('court', { operatorId: 'OP-1', dishonest: false, source: src('c2') })).toEqual([CODE]);
    await b.close();
  });

  it('keeps the fact the agency knew last, and moves a business between operators', async () => {
    const s = await FactStore.open(freshDir(), 12);
    s.apply('annualReport', report(CODE, 2025, 100, 'june', Date.parse('2026-06-01T00:00:00+08:00')));
    await s.flush();
    // An older export replayed after the correction changes nothing.
    expect(s.apply('annualReport', report(CODE, 2025, 999, 'march', Date.parse('2026-03-01T00:00:00+08:00')))).toEqual([]);
    expect(s.business(CODE)?.annualReports.get(2025)?.revenueFen).toBe(100);
    s.apply('registration', reg(CODE, 'r1', 'OP-1'));
    await s.flush();
    s.apply('registration', reg(CODE, 'r2', 'OP-2'));
    // Before and after the write, the index says the same.
    expect([s.businessesOf('OP-1'), s.businessesOf('OP-2')]).toEqual([[], [CODE]]);
    await s.flush();
    expect([s.businessesOf('OP-1'), s.businessesOf('OP-2')]).toEqual([[], [CODE]]);
    await s.close();
  });

  it('gives up one partition whole and keeps the others', async () => {
    const s = await FactStore.open(freshDir(), 12);
    const [p, q] = [partitionOf(CODE, 12), partitionOf(OTHER, 12)];
    expect(p).not.toBe(q);
    s.apply('registration', reg(CODE, 'r1', 'OP-1'));
    s.apply('registration', reg(OTHER, 'r2', 'OP-1'));
    s.setDecided(CODE, 'd-1');
    s.read('getihu.fact.registration', p, 10);
    s.read('getihu.fact.registration', q, 20);
    await s.flush();
    expect([...s.codesOf(p)]).toEqual([CODE]);
    await s.release(p);
    expect([...s.codesOf(p)]).toEqual([]);
    expect(s.business(CODE)).toBeUndefined();
    expect(s.decided(CODE)).toBeUndefined();
    expect(s.checkpoint('getihu.fact.registration', p)).toBeUndefined();
    expect(s.checkpoint('getihu.fact.registration', q)).toBe(20);
    expect(s.businessesOf('OP-1')).toEqual([OTHER]);
    await s.close();
  });

  it('empties a store written for another partition count', async () => {
    const dir = freshDir();
    const a = await FactStore.open(dir, 12);
    a.apply('registration', reg(CODE, 'r1', 'OP-1'));
    a.read('getihu.fact.registration', 0, 5);
    await a.close();
    const b = await FactStore.open(dir, 24);
    expect(b.business(CODE)).toBeUndefined();
    expect(b.checkpoint('getihu.fact.registration', 0)).toBeUndefined();
    await b.close();
  });
});
