/**
 * Regulators' jobs run off the request: a run, a round or a sweep is accepted at once (202 with
 * the job and its Location), runs on the job runner's pool, and `GET /v1/regulator/jobs/{id}`
 * gives its state, progress and result — to regulators of its area only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { startSink } from '../pipeline/sink.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let g: TestGateway;
beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  await ingestBusinesses(p.ctx, [...generateBusinesses({ region: 'tianjin', businesses: 400, seed: 1701 })], 2024);
  g = await startTestGateway(p.store, p.ctx);
}, 120_000);
afterAll(async () => {
  await g?.close();
  await p?.close();
});

describe('regulator jobs', () => {
  it('a run is accepted at once and its job says how it went, with the run summary at the end', async () => {
    const reg = await g.token('regulator', 'reg-tj', { region: '120000' });
    const accepted = await fetch(`${g.base}/v1/regulator/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reg}`, 'content-type': 'application/json' },
      body: JSON.stringify({ area: '120000', asOf: '2025-08-15' }),
    });
    expect(accepted.status).toBe(202);
    const job = (await accepted.json()) as { id: string; state: string; href: string };
    expect(accepted.headers.get('location')).toBe(`/v1/regulator/jobs/${job.id}`);
    expect(['queued', 'running', 'succeeded']).toContain(job.state);
    await g.jobs.idle();
    const done = await g.call('GET', job.href, reg);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: job.id, kind: 'run', area: '120000', state: 'succeeded', error: null });
    const result = done.body.result as { decisions: number; runId: string };
    expect(result.decisions).toBe(400);
    expect(result.runId).toMatch(/^run:120000:2025-08-15:/);
    expect(done.body.progress).toEqual({ businesses: 400, of: 400 });
    // The decisions it emitted reach the store.
    const sink = await startSink(p.ctx, p.store);
    await sink.caughtUp();
    await sink.stop();
    expect((await p.store.allDecisions()).length).toBe(400);

    // Another province's regulator may not read it; an unknown id is 404.
    const beijing = await g.token('regulator', 'reg-bj', { region: '110000' });
    expect((await g.call('GET', job.href, beijing)).status).toBe(403);
    expect((await g.call('GET', '/v1/regulator/jobs/job_00000000-0000-0000-0000-000000000000', reg)).status).toBe(404);
  });

  it('a run under a rule set that does not exist is refused at once, naming it', async () => {
    const reg = await g.token('regulator', 'reg-national');
    const r = await g.call('POST', '/v1/regulator/runs', reg, { area: '120000', asOf: '2025-08-15', ruleset: 'no-such-rules' });
    expect(r.status).toBe(400);
    expect((r.body.error as { code: string }).code).toBe('UNKNOWN_RULESET');
  });
});
