/**
 * `npm run bench -- gateway [--seconds S] [--connections C] [--json]`: in one run, with autocannon
 * as a separate load-generating process on this machine,
 *   G1  a bare express JSON route;
 *   G4  an authenticated bank credit-tag lookup (token verified, rate limit, audit entry written),
 *       cached (one business) and uncached (a cache that never hits, so every request reads the
 *       decision and the recognition from the store).
 * Each lane is loaded for WARMUP_SECONDS first, unmeasured, so that every lane is measured in its
 * steady state (compiled code, grown heap) rather than partly while the JIT warms up.
 * Reports req/s, p50/p99 latency, and G4/G1 (cached).
 */
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import express from 'express';
import { createGateway, DecisionCache } from '../gateway/app.js';
import { tokenVerifier } from '../gateway/auth.js';
import { AUDIENCE, DEV_ISSUER } from '../gateway/index.js';
import { KeyRing } from '../gateway/keys.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { ingestBusinesses, openPipeline } from '../matchers/reconciler/pipeline.js';
import { DecisionPool, runTyping } from '../matchers/reconciler/reconciler.js';
import { startSink } from '../matchers/reconciler/sink.js';

interface LaneResult {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
}

async function listen(app: express.Express): Promise<{ server: Server; port: number }> {
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return { server, port: (server.address() as { port: number }).port };
}

function autocannon(url: string, seconds: number, connections: number, headers: Record<string, string>): Promise<LaneResult> {
  const args = [
    '-j',
    '-d',
    String(seconds),
    '-c',
    String(connections),
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/autocannon', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number };
        resolve({
          requestsPerSecond: Math.round(r.requests.average),
          p50ms: r.latency.p50,
          p99ms: r.latency.p99,
          non2xx: r.non2xx,
        });
      } catch (err) {
        reject(new Error(`autocannon gave no result: ${(err as Error).message}`));
      }
    });
  });
}

/** Unmeasured load before each lane's measured run. */
export const WARMUP_SECONDS = 3;

/** One lane: serves `app` on a free port, warms it up, loads `path` with autocannon, stops serving. */
async function lane(
  app: express.Express,
  path: string,
  seconds: number,
  connections: number,
  headers: Record<string, string>,
): Promise<LaneResult> {
  const { server, port } = await listen(app);
  try {
    const url = `http://127.0.0.1:${port}${path}`;
    await autocannon(url, WARMUP_SECONDS, connections, headers);
    return await autocannon(url, seconds, connections, headers);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** Runs the gateway benchmark. */
export async function benchGateway(seconds: number, connections: number): Promise<Record<string, unknown>> {
  // G1: a bare express JSON route.
  const bare = express();
  bare.get('/ping', (_req, res) => {
    res.json({ ok: true });
  });
  const G1 = await lane(bare, '/ping', seconds, connections, {});

  // G4: the real gateway on the embedded pipeline, with real decisions.
  const p = await openPipeline({ mode: 'embedded', partitions: 3 });
  const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 5000, seed: 8 })];
  await ingestBusinesses(p.ctx, businesses, 2024);
  const sink = await startSink(p.ctx, p.store);
  const pool = new DecisionPool(0);
  await runTyping(p.ctx, { area: '120000', asOf: '2025-08-15', pool });
  await sink.caughtUp();
  await pool.close();
  const access = await KeyRing.ephemeral();
  const badge = await KeyRing.ephemeral();
  const verify = tokenVerifier({ issuer: DEV_ISSUER, audience: AUDIENCE, jwks: () => access.jwks() });
  const token = await access.sign(
    { role: 'bank' },
    { issuer: DEV_ISSUER, audience: AUDIENCE, subject: 'bank:bench', expiresIn: '1h' },
  );
  const headers = { authorization: `Bearer ${token}` };
  const opts = { store: p.store, verify, badgeKeys: badge, issuer: DEV_ISSUER, requestsPerMinute: 10_000_000 };
  const path = `/v1/credit-tags/${businesses[0]?.creditCode as string}?purpose=credit-assessment`;
  const G4cached = await lane(createGateway(opts, new DecisionCache()), path, seconds, connections, headers);
  // Uncached: a cache that never holds anything, so every request reads the store.
  const never = new (class extends DecisionCache {
    override get(): undefined {
      return undefined;
    }
  })();
  const G4uncached = await lane(createGateway(opts, never), path, seconds, connections, headers);
  const audited = (await p.store.rawQuery('select count(*) as n from audit_log'))[0] as { n: number };
  await sink.stop();
  await p.close();
  return {
    bench: 'gateway',
    seconds,
    warmupSeconds: WARMUP_SECONDS,
    connections,
    G1,
    G4cached,
    G4uncached,
    auditEntriesWritten: Number(audited.n),
    ratioG4G1: Number((G4cached.requestsPerSecond / G1.requestsPerSecond).toFixed(3)),
    ratioG4uncachedG1: Number((G4uncached.requestsPerSecond / G1.requestsPerSecond).toFixed(3)),
    goal: 0.7,
  };
}
