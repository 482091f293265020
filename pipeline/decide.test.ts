/**
 * A batch's decision events, as the pool hands them over: each one is a framed Avro event that
 * decodes to what `classify` decides for that business (津市场监管政务〔2024〕9号 附件1 二, the typing rules; the id is
 * `decisionIdOf` of the decision), lying back to back in one buffer.
 */
import { threadId } from 'node:worker_threads';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { TOPICS } from '../lib/topics.js';
import { Classifier, decidedFactsOf, loadCatalogueBook, normaliseFacts, RuleBook, Support } from '../matchers/index.js';
import { latestSchemaText } from '../schemas/codec.js';
import { unframe } from '../schemas/wireFormat.js';
import decideBatch, { type DecideItem, type DecideTask, decisionIdOf, eventBytes, supportEventBytes } from './decide.js';
import { DecisionPool } from './reconciler.js';

const schema = latestSchemaText(TOPICS.typing.name);
const type = avro.Type.forSchema(JSON.parse(schema), { wrapUnions: false });
const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 60, seed: 5 })];
const items: DecideItem[] = businesses.map((b, i) => ({ input: b, sources: [`src-${i}-a`, `src-${i}-b`] }));
const task: DecideTask = { asOf: '2025-08-15', ruleset: null, runId: 'run:test', schemaId: 4242, schema, items };
const classifier = new Classifier({ asOf: parseIsoDate('2025-08-15'), ruleBook: RuleBook.load() });

describe('decideBatch', () => {
  // The items as objects or as UTF-8 JSON text (as a run hands them over); the first guess of the
  // buffer's size far too small too, so that it grows (and copies what it holds) many times.
  it.each([
    ['objects', 4096],
    ['objects', 16],
    ['UTF-8 JSON text', 4096],
  ] as const)('encodes every decision as classify makes it (items as %s, first guess %i bytes per event)', (form, guess) => {
    const given =
      form === 'objects' ? task : { ...task, items: { utf8: Buffer.from(JSON.stringify(items)), count: items.length } };
    const r = decideBatch(given, guess);
    expect(r.rejected).toEqual([]);
    expect(r.records).toHaveLength(businesses.length);
    let end = 0;
    r.records.forEach((x, i) => {
      expect(x.offset).toBe(end);
      end = x.offset + x.length;
      const want = classifier.classifyRecord(businesses[i] as Record<string, unknown>);
      const { schemaId, body } = unframe(eventBytes(r, x));
      expect(schemaId).toBe(4242);
      const event = type.fromBuffer(body) as Record<string, unknown>;
      // Byte for byte what the registered schema writes (the texts go in as UTF-8 bytes).
      expect(type.toBuffer(event).equals(body)).toBe(true);
      expect(event).toMatchObject({
        decisionId: decisionIdOf(want),
        creditCode: want.creditCode,
        region: want.region,
        ruleset: want.ruleset,
        type: want.type,
        label: want.label,
        mtyxBasicEligible: want.mtyxBasicEligible,
        runId: 'run:test',
        sources: [`src-${i}-a`, `src-${i}-b`],
      });
      // A machine decision carries the facts it was made from, not its reasons.
      expect(event.reasonsJson).toBeNull();
      expect(event.facts).toEqual(decidedFactsOf(normaliseFacts(businesses[i])));
      expect(x).toMatchObject({ key: want.creditCode, decisionId: decisionIdOf(want), type: want.type });
    });
    expect(r.values.length).toBe(end);
  });

  it('refuses an input it cannot decide, and goes on with the rest', () => {
    const r = decideBatch({ ...task, items: [{ input: { creditCode: 'not a code' }, sources: [] }, ...items.slice(0, 2)] });
    expect(r.rejected).toHaveLength(1);
    expect(r.records).toHaveLength(2);
  });
});

describe('decideBatch with support events (精准帮扶)', () => {
  const supportSchema = latestSchemaText(TOPICS.support.name);
  const supportType = avro.Type.forSchema(JSON.parse(supportSchema), { wrapUnions: false });
  it('encodes one support event per decision, naming it; a rules folder without catalogues still decides, and owes nothing', async () => {
    const withSupport = { ...task, support: { schemaId: 4343, schema: supportSchema } };
    const r = decideBatch(withSupport);
    expect(r.support?.records).toHaveLength(r.records.length);
    const first = r.support?.records[0];
    const event = supportType.fromBuffer(unframe(supportEventBytes(r.support!, first!)).body) as {
      decisionId: string;
      catalogue: string;
    };
    expect(event.decisionId).toBe(r.records[0]?.decisionId);
    expect(event.catalogue).toBe('tianjin-2024@1');
    // The rule sets alone, without measures/.
    const { cpSync, mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'getihu-rules-'));
    cpSync(join(import.meta.dirname, '..', 'matchers', 'rules'), dir, { recursive: true });
    for (const region of readdirSync(dir)) rmSync(join(dir, region, 'measures'), { recursive: true, force: true });
    const bare = decideBatch({ ...withSupport, config: { rulesDir: dir, allowCodes: [] } });
    expect(bare.records).toHaveLength(r.records.length);
    expect(bare.support?.records).toEqual([]);
  });

  it('writes the support events back to back in one buffer, the same whether it grew many times or never', () => {
    const withSupport = { ...task, support: { schemaId: 4343, schema: supportSchema } };
    const decoded = (guess: number) => {
      const r = decideBatch(withSupport, guess);
      let end = 0;
      const events = (r.support?.records ?? []).map((x, i) => {
        expect(x.offset).toBe(end);
        end = x.offset + x.length;
        const { schemaId, body } = unframe(supportEventBytes(r.support!, x));
        expect(schemaId).toBe(4343);
        const e = supportType.fromBuffer(body) as { decisionId: string; creditCode: string };
        expect([e.decisionId, e.creditCode, x.key]).toEqual([r.records[i]?.decisionId, r.records[i]?.key, r.records[i]?.key]);
        return e;
      });
      expect(r.support?.values.length).toBe(end);
      return events;
    };
    const roomy = decoded(4096);
    expect(roomy).toHaveLength(businesses.length);
    expect(decoded(16)).toEqual(roomy);
  });

  it('names in each support event the measures matching gives that business, by position in its catalogue, with the facts they follow from', () => {
    // Hebei's catalogue has measures whose evidence is the business's own (insured headcount,
    // intellectual property held): a list of those is made for the one business. Two runs over the
    // same batch, so that a list kept from the first is met again in the second.
    const hebei = [...generateBusinesses({ region: 'hebei', businesses: 60, seed: 5 })];
    const withSupport: DecideTask = {
      ...task,
      items: hebei.map((b) => ({ input: b, sources: [] })),
      support: { schemaId: 4343, schema: supportSchema },
    };
    const book = loadCatalogueBook();
    const match = new Support(book, parseIsoDate('2025-08-15'));
    const seen = { shared: 0, own: 0 };
    for (const r of [decideBatch(withSupport), decideBatch(withSupport)]) {
      expect(r.support?.records).toHaveLength(hebei.length);
      r.support?.records.forEach((x, i) => {
        const { body } = unframe(supportEventBytes(r.support!, x));
        const e = supportType.fromBuffer(body) as { measures: number[]; ifRecognised: number[]; facts: unknown };
        expect(supportType.toBuffer(e).equals(body)).toBe(true);
        const { decision, facts } = classifier.decideRecord(hebei[i]);
        const want = match.supportFor(decision, facts, null);
        seen[Object.isFrozen(want.measures) ? 'shared' : 'own']++;
        // A position names the measure at that place in the catalogue file's list (then its baseline's).
        const { measures } = book.forDivision(decision.region, parseIsoDate('2025-08-15'));
        expect(e.measures.map((n) => measures[n]?.id)).toEqual(want.measures.map((m) => m.id));
        expect(e.ifRecognised.map((n) => measures[n]?.id)).toEqual(want.ifRecognised.map((m) => m.id));
        expect(e.facts).toEqual(decidedFactsOf(facts));
      });
    }
    // The batch has businesses of both kinds.
    expect(seen.shared).toBeGreaterThan(0);
    expect(seen.own).toBeGreaterThan(0);
  });

  it('starts every thread of a pool before its first batch, and none without threads', async () => {
    const pool = new DecisionPool(2);
    try {
      const started = await pool.started();
      expect(new Set(started).size).toBe(2);
      expect(started).not.toContain(threadId);
    } finally {
      await pool.close();
    }
    expect(await new DecisionPool(0).started()).toEqual([]);
  });
});
