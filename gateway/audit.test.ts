/**
 * The audit log keeps exactly what it was given: the embedded store writes a batch as a literal
 * into a prepared statement, so quotes, backslashes and SQL-looking text must come back unchanged
 * and must never run as SQL. The chain still verifies afterwards, also when batches are under way
 * together and one of them is refused, and when one turn of the event loop asks for more entries
 * than a batch leaves with (gateway/audit.ts, FLUSH_AT).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../lib/store/store.js';
import { AuditWriter, recordAudit } from './audit.js';
import { verifyChain } from './auditVerify.js';

const awkward = [
  "o'brien",
  "'); drop table audit_log; --",
  'back\\slash \\x27 \\\\',
  "E'\\''",
  '$1 $$ $tag$ dollar',
  '经营者 «quotes» “curly” \u2028',
  '{"json": "inside"}',
];

describe('audit log on the embedded store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.pglite();
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores awkward text exactly, runs none of it, and the chain verifies', async () => {
    const written = await Promise.all(
      awkward.map((text, i) =>
        recordAudit(store, {
          subject: text,
          role: 'bank',
          action: 'credit-tags.read',
          purpose: i % 2 === 0 ? text : null,
          creditCode: null,
          outcome: text,
        }),
      ),
    );
    expect(written.map((e) => e.subject)).toEqual(awkward);
    const stored = await store.auditEntries();
    expect(stored.map((e) => [e.subject, e.purpose, e.outcome])).toEqual(
      awkward.map((text, i) => [text, i % 2 === 0 ? text : null, text]),
    );
    expect(await verifyChain(store)).toEqual({ ok: true, entries: awkward.length });
    // A second batch after the first: the prepared statement is reused.
    await recordAudit(store, { subject: 'next', role: 'bank', action: 'x', purpose: null, creditCode: null, outcome: 'ok' });
    expect(await verifyChain(store)).toEqual({ ok: true, entries: awkward.length + 1 });
  });

  it('keeps the chain whole while several batches are under way and one of them fails', async () => {
    const before = (await verifyChain(store)).entries;
    const entry = (subject: string) => ({ subject, role: 'bank', action: 'x', purpose: null, creditCode: null, outcome: 'ok' });
    const outcomes: Promise<string>[] = [];
    for (let turn = 0; turn < 8; turn++) {
      for (let i = 0; i < 5; i++) {
        // Turn 3 carries entries the table refuses (subject is not null): their batch fails whole.
        const e = turn === 3 ? entry(null as unknown as string) : entry(`t${turn}.${i}`);
        outcomes.push(
          recordAudit(store, e).then(
            (w) => w.subject,
            () => 'refused',
          ),
        );
      }
      await new Promise((r) => setImmediate(r));
    }
    const got = await Promise.all(outcomes);
    // Group commit: entries that shared a batch with the refused ones are refused with them.
    expect(got.slice(15, 20)).toEqual(Array(5).fill('refused'));
    expect(got.slice(0, 5)).toEqual(['t0.0', 't0.1', 't0.2', 't0.3', 't0.4']);
    // After the refusal, appends chain on from the last committed entry.
    got.push(
      ...(await Promise.all([recordAudit(store, entry('after.0')), recordAudit(store, entry('after.1'))])).map((w) => w.subject),
    );
    const written = got.filter((s) => s !== 'refused');
    // Every entry that was acknowledged is there, in one unbroken chain with no gap in its sequence.
    expect(await verifyChain(store)).toEqual({ ok: true, entries: before + written.length });
    const stored = (await store.auditEntries()).slice(before).map((e) => e.subject);
    expect(stored.sort()).toEqual([...written].sort());
  });

  it('answers each caller with its own entry when one turn asks for several batches', async () => {
    const before = (await verifyChain(store)).entries;
    const n = AuditWriter.FLUSH_AT * 4 + 3;
    const sizes: number[] = [];
    const append = store.appendAuditBatch.bind(store);
    store.appendAuditBatch = (list) => {
      sizes.push(list.length);
      return append(list);
    };
    // All asked for in one turn: the first batches leave while later entries are still being asked for.
    const pending = Promise.all(
      Array.from({ length: n }, (_, i) =>
        recordAudit(store, { subject: `burst.${i}`, role: 'bank', action: 'x', purpose: null, creditCode: null, outcome: 'ok' }),
      ),
    );
    // Two batches left within the turn (as many as may be under way), the rest after it.
    expect(sizes).toEqual([AuditWriter.FLUSH_AT, AuditWriter.FLUSH_AT]);
    const written = await pending;
    store.appendAuditBatch = append;
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(written.map((e) => e.subject)).toEqual(Array.from({ length: n }, (_, i) => `burst.${i}`));
    // In the order asked for: the store applies batches in the order they were sent.
    expect(written.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => before + i + 1));
    expect(await verifyChain(store)).toEqual({ ok: true, entries: before + n });
  });
});
