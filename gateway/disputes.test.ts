/**
 * Disputes (异议) through the HTTP API on the embedded pipeline: over a type
 * (国市监注发〔2024〕10号 附件 一(三)3; 津市场监管政务〔2024〕9号 附件1 三(三)) or over a 名特优新
 * outcome (做好信息公示和异议处理工作: 国市监注发〔2024〕10号 三(三)), each with the date its reply is
 * due (the rule set's responseDays: 15, provisional), a reply the business reads with its own
 * token, and a regulator who sees and resolves only those of its region.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { business } from '../matchers/testing/fixtures.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let sink: Sink;
let gw: TestGateway;
// 2026-03-01 20:00 UTC is 2026-03-02 04:00 in China: the dispute is filed on 2 March, due 17 March.
let clock = new Date('2026-03-01T20:00:00Z');
const tianjin = business('120101');
const beijing = business('110109');

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  sink = await startSink(p.ctx, p.store);
  gw = await startTestGateway(p.store, p.ctx, () => clock);
  await ingestBusinesses(p.ctx, [tianjin, beijing], 2024);
  await sink.caughtUp();
});

afterAll(async () => {
  await gw.close();
  await sink.stop();
  await p.close();
});

type Dispute = { id: string; subject: string; status: string; reply: string | null; respondBy: string; overdue: boolean };

describe('disputes', () => {
  it('a business disputes its type and a 名特优新 outcome, reads the replies, and sees what is overdue', async () => {
    const own = await gw.token('public', tianjin.creditCode as string);
    const other = await gw.token('public', beijing.creditCode as string);
    const file = (tok: string, body: Record<string, unknown>) => gw.call('POST', '/v1/disputes', tok, body);

    const typeDispute = await file(own, { creditCode: tianjin.creditCode, claim: '上年度已为2名员工缴纳社保' });
    expect(typeDispute.status).toBe(201);
    expect(typeDispute.body).toMatchObject({
      subject: 'type',
      respondBy: '2026-03-17',
      clause: expect.stringContaining('附件1 三(三)'),
    });
    const noYear = await file(own, { creditCode: tianjin.creditCode, claim: '未获认定', subject: 'mtyx' });
    expect(noYear.status).toBe(400);
    expect(JSON.stringify(noYear.body)).toMatch(/year/);
    const mtyxDispute = await file(own, { creditCode: tianjin.creditCode, claim: '公示期异议不实', subject: 'mtyx', year: 2025 });
    expect(mtyxDispute.status).toBe(201);
    // Another business may neither file for it nor read its disputes.
    expect((await file(other, { creditCode: tianjin.creditCode, claim: 'x' })).status).toBe(403);
    expect((await gw.call('GET', `/v1/disputes?creditCode=${tianjin.creditCode}`, other)).status).toBe(403);

    // Beijing's regulator sees none of Tianjin's and may resolve none.
    const bj = await gw.token('regulator', 'beijing-samr', { region: '110000' });
    expect(((await gw.call('GET', '/v1/regulator/disputes', bj)).body.disputes as unknown[]).length).toBe(0);
    const resolve = (tok: string, id: unknown, body: Record<string, unknown>) =>
      gw.call('POST', `/v1/regulator/disputes/${id}/resolve`, tok, body);
    expect((await resolve(bj, mtyxDispute.body.id, { outcome: 'uphold', reason: 'x' })).status).toBe(403);

    // Tianjin's regulator answers the 名特优新 dispute; it is answered, not re-typed.
    const tj = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    expect((await resolve(tj, mtyxDispute.body.id, { outcome: 'adjust', type: 'growth', reason: 'x' })).status).toBe(400);
    const answered = await resolve(tj, mtyxDispute.body.id, {
      outcome: 'adjust',
      reason: '异议属实，重新公示后复审',
    });
    expect(answered.status).toBe(200);

    // Twenty days on, the type dispute is still open and past its date.
    clock = new Date('2026-03-21T02:00:00Z');
    const listed = (await gw.call('GET', '/v1/regulator/disputes', tj)).body.disputes as Dispute[];
    expect(listed.find((d) => d.id === typeDispute.body.id)).toMatchObject({ status: 'open', overdue: true });
    const mine = (await gw.call('GET', `/v1/disputes?creditCode=${tianjin.creditCode}`, own)).body.disputes as Dispute[];
    expect(mine.map((d) => [d.subject, d.status, d.reply, d.overdue]).sort()).toEqual(
      [
        ['mtyx', 'adjusted', '异议属实，重新公示后复审', false],
        ['type', 'open', null, true],
      ].sort(),
    );
  });
});

describe('fault row 4: a human decision outranks a machine run', () => {
  it('a dispute adjustment stands through a run on the same facts, and gives way to one on newer facts', async () => {
    const code = tianjin.creditCode as string;
    const reg = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    const run = async () => {
      expect((await gw.call('POST', '/v1/regulator/runs', reg, { area: '120101', asOf: '2025-08-15' })).status).toBe(201);
      await sink.caughtUp();
    };
    const explain = async () => (await gw.call('GET', `/v1/regulator/decisions/${code}`, reg)).body;
    await run();
    // The fixture business is survival: nobody insured, no tax paid, no IP.
    expect((await explain()).decision).toMatchObject({ type: 'survival' });
    const own = await gw.token('public', code);
    const filed = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: '已为2名员工缴纳社保' });
    const adjusted = await gw.call('POST', `/v1/regulator/disputes/${filed.body.id}/resolve`, reg, {
      outcome: 'adjust',
      type: 'growth',
      reason: '社保记录经核实',
    });
    expect(adjusted.status).toBe(200);
    await sink.caughtUp();
    expect((await explain()).decision).toMatchObject({ type: 'growth' });

    // The same run again, on the same facts: the adjustment stands, and the explanation says why.
    await run();
    const kept = await explain();
    expect(kept.decision).toMatchObject({ type: 'growth', runId: `dispute:${filed.body.id}` });
    expect(kept.standing).toMatchObject({ by: 'dispute', disputeId: filed.body.id });
    // Its measures follow the decision on the facts (survival), and say the current one is another type.
    const support = (await gw.call('GET', `/v1/regulator/support/${code}`, reg)).body;
    expect(support).toMatchObject({ type: 'survival', currentDecision: { type: 'growth' } });

    // Newer facts (a patent on file): the run decides again, and its decision stands.
    await ingestBusinesses(p.ctx, [{ ...tianjin, ip: { trademarksInUse: 0, patents: 1 } }], 2024);
    await run();
    const newer = await explain();
    expect(newer.decision).toMatchObject({ type: 'development' });
    expect(newer.standing).toMatchObject({ by: 'run' });
    const after = (await gw.call('GET', `/v1/regulator/support/${code}`, reg)).body;
    expect(after).toMatchObject({ type: 'development' });
    expect(after).not.toHaveProperty('currentDecision');
  });
});
