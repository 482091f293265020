/**
 * The audit log keeps exactly what it was given: the embedded store writes a batch as a literal
 * into a prepared statement, so quotes, backslashes and SQL-looking text must come back unchanged
 * and must never run as SQL. The chain still verifies afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../lib/store/store.js';
import { recordAudit, verifyAudit } from './audit.js';

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
    expect(await verifyAudit(store)).toEqual({ ok: true, entries: awkward.length });
    // A second batch after the first: the prepared statement is reused.
    await recordAudit(store, { subject: 'next', role: 'bank', action: 'x', purpose: null, creditCode: null, outcome: 'ok' });
    expect(await verifyAudit(store)).toEqual({ ok: true, entries: awkward.length + 1 });
  });
});
