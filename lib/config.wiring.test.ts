/**
 * The configuration reaches every part: a credit code the configured allow-list admits is
 * accepted by `classify`, by the connectors on ingest, by a run on the pipeline and by the
 * gateway alike (it used to be dead-lettered on ingest and refused by the API); the rules folder
 * is the one the pipeline decides with. And the service's entry refuses bad settings by name.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { startTestGateway } from '../gateway/testing.js';
import { DecisionPool, runTyping } from '../pipeline/reconciler.js';
import { startSink } from '../pipeline/sink.js';
import { typeAndStore } from '../pipeline/testing.js';
import { parseConfig } from './config.js';
import { generateBusinesses } from './generate/generator.js';

const AS_OF = '2025-08-15';
const BAD = '92120101MA05T8WQ3X';
const open: Pipeline[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

describe('the configuration on every path', () => {
  it('an allow-listed checksum-failing code is accepted on ingest, typed by a run, and looked up through the API', async () => {
    const settings = parseConfig({ creditCodes: { checksumAllowList: [{ code: BAD, reason: 'issued before the check' }] } });
    const p = await openPipeline({ mode: 'embedded', partitions: 3 }, { settings });
    open.push(p);
    const [b] = [...generateBusinesses({ region: 'tianjin', businesses: 1, seed: 9 })];
    const business = { ...(b as Record<string, unknown>), creditCode: BAD, regionCode: '120101' };
    const receipts = await ingestBusinesses(p.ctx, [business], 2024);
    expect(receipts.map((r) => [r.feed, r.rejected])).toEqual(receipts.map((r) => [r.feed, 0]));
    const sink = await startSink(p.ctx, p.store);
    const pool = new DecisionPool(0);
    const run = await runTyping(p.ctx, { area: '120000', asOf: AS_OF, pool });
    await pool.close();
    expect([run.decisions, run.rejected]).toEqual([1, 0]);
    await sink.caughtUp();
    await sink.stop();
    const g = await startTestGateway(p.store, p.ctx);
    try {
      const r = await g.call('GET', `/v1/public/businesses/${BAD}`, await g.token('public'));
      expect(r.status).toBe(200);
      expect(r.body.creditCode).toBe(BAD);
    } finally {
      await g.close();
    }
    // Without the allow-list the same code is refused at every door.
    const q = await openPipeline({ mode: 'embedded', partitions: 3 }, { settings: parseConfig({}) });
    open.push(q);
    const refused = await ingestBusinesses(q.ctx, [business], 2024);
    // (The court list is by operator, not by credit code.)
    const byCode = refused.filter((r) => r.agency !== 'court');
    expect(byCode.length).toBeGreaterThan(3);
    expect(byCode.map((r) => [r.feed, r.rejected])).toEqual(byCode.map((r) => [r.feed, r.read]));
  });

  it('the pipeline decides with the rules folder the configuration names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'getihu-rules-'));
    cpSync(join(import.meta.dirname, '..', 'matchers', 'rules'), dir, { recursive: true });
    const file = join(dir, 'tianjin', '2024.json');
    const rules = JSON.parse(readFileSync(file, 'utf8')) as { id: string; version: number };
    // The same rules under a version of this deployment's own.
    writeFileSync(file, JSON.stringify({ ...rules, version: 99 }));
    const p = await openPipeline({ mode: 'embedded', partitions: 3 }, { settings: parseConfig({ rulesDir: dir }) });
    open.push(p);
    await ingestBusinesses(p.ctx, [...generateBusinesses({ region: 'tianjin', businesses: 20, seed: 3 })], 2024);
    await typeAndStore(p, '120000', AS_OF);
    const stored = await p.store.allDecisions();
    expect(stored.length).toBe(20);
    expect(new Set(stored.map((d) => d.ruleset))).toEqual(new Set([`${rules.id}@99`]));
  });
});

describe('the service entry refuses bad settings by name', () => {
  const serve = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', 'serve'], {
      env: { ...process.env, KAFKA_BROKERS: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('PORT that is not a port', () => {
    const r = serve({ PORT: 'abc' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/INVALID_CONFIG: PORT: a port number/);
  });

  it('a port already in use', async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const port = (other.address() as { port: number }).port;
    try {
      const r = serve({ PORT: String(port) });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`INVALID_CONFIG: PORT: 127.0.0.1:${port} is in use`));
    } finally {
      other.close();
    }
  });

  it('production without an identity provider', () => {
    const r = serve({ NODE_ENV: 'production', PORT: '0', GETIHU_JWKS_URL: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/INVALID_CONFIG: GETIHU_JWKS_URL/);
  });
});
