/**
 * The request log as an operator reads it: one JSON line per answered request (id as echoed in
 * X-Request-Id, method, route template, status, latency, role and subject), written to the file
 * GETIHU_LOG_FILE names; nothing for a request another server in the process answered.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Pipeline } from '../app/pipeline.js';
import type { TestGateway } from './testing.js';

// The logger is made when its module is first imported: the file and level are set before that.
const dir = mkdtempSync(join(tmpdir(), 'getihu-requestlog-'));
const file = join(dir, 'gateway.log');
vi.stubEnv('GETIHU_LOG_FILE', file);
vi.stubEnv('GETIHU_LOG', 'info');
const { openPipeline } = await import('../app/pipeline.js');
const { log } = await import('../lib/observe/index.js');
const { generateBusinesses } = await import('../lib/generate/generator.js');
const { startTestGateway } = await import('./testing.js');

let p: Pipeline;
let g: TestGateway;
let other: Server;
let otherBase: string;
beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  g = await startTestGateway(p.store, p.ctx);
  other = createServer((_req, res) => res.end('not the gateway'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  otherBase = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => other.close(() => r()));
  await g.close();
  await p.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The request lines written so far. */
async function requestLines(): Promise<Record<string, unknown>[]> {
  await new Promise<void>((resolve, reject) => log.flush((err) => (err ? reject(err) : resolve())));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'request');
}

describe('the request log', () => {
  it('writes one line per answer, with the id it echoed, the route template and the caller', async () => {
    const token = await g.token('bank', 'bank:log-test');
    const [b] = [...generateBusinesses({ region: 'tianjin', businesses: 1, seed: 4 })];
    const code = (b as { creditCode: string }).creditCode;
    const asked = [
      // found by route, refused by role, unknown, anonymous and unauthenticated
      { path: `/v1/credit-tags/${code}?purpose=pre-approval`, token },
      { path: '/v1/regulator/audit', token },
      { path: '/no/such/thing', token },
      { path: '/healthz' },
      { path: '/healthz', bad: true },
    ];
    const answers: { id: string; status: number }[] = [];
    for (const a of asked) {
      const headers: Record<string, string> = {};
      if (a.token !== undefined) headers.authorization = `Bearer ${a.token}`;
      if (a.bad === true) headers.authorization = 'Bearer not.a.token';
      const r = await fetch(`${g.base}${a.path}`, { headers });
      await r.arrayBuffer();
      answers.push({ id: r.headers.get('x-request-id') as string, status: r.status });
    }
    await (await fetch(otherBase)).text();
    // A line is written when the server has finished the answer, which may come after the client
    // has read it: wait for the lines (flushed to the file each time they are read).
    const lines = await vi.waitFor(
      async () => {
        const l = await requestLines();
        expect(l).toHaveLength(asked.length);
        return l;
      },
      { timeout: 5000, interval: 20 },
    );
    expect(lines.map((l) => l.reqId)).toEqual(answers.map((a) => a.id));
    expect(lines.map((l) => [l.method, l.route, l.status, l.role, l.subject])).toEqual([
      ['GET', '/v1/credit-tags/:code', 404, 'bank', 'bank:log-test'],
      ['GET', '/v1/regulator/audit', 403, 'bank', 'bank:log-test'],
      ['GET', 'unmatched', 404, 'bank', 'bank:log-test'],
      ['GET', '/healthz', 200, null, null],
      ['GET', 'unmatched', 401, null, null],
    ]);
    for (const l of lines) {
      expect(l.component).toBe('http');
      expect(l.level).toBe(30);
      expect(typeof l.ms === 'number' && l.ms >= 0 && l.ms < 60_000).toBe(true);
    }
  });
});
