/**
 * Rows that one statement records share their recorded time (a transaction's now()); the store still
 * reads them in the order they were recorded, on both stores: the latest of two changes of one day is
 * the one recorded second, and histories list them as they came.
 */
import { describe, expect, inject, it } from 'vitest';
import type { CorrectionPosition } from './corrections.js';
import { type RecognitionChange, Store, type StoredDecision } from './store.js';
import { rawQuery } from './testing.js';

const CODE = '92120101MA05T8WQ38';

/** A decision about CODE as of 2025-08-15. */
const decision = (decisionId: string, type: string, label: string, runId: string | null): StoredDecision => ({
  creditCode: CODE,
  decisionId,
  region: '120101',
  ruleset: 'tianjin-2024@1',
  asOf: '2025-08-15',
  type,
  label,
  mtyxBasicEligible: false,
  runId,
  reasons: [],
  sources: [],
});

async function openStore(kind: 'pglite' | 'postgres', name: string): Promise<Store> {
  return kind === 'pglite' ? Store.pglite() : Store.postgres(inject('infra').DATABASE_URL, `${name}${Date.now().toString(36)}`);
}

describe.each(inject('infra') === undefined ? (['pglite'] as const) : (['pglite', 'postgres'] as const))(
  'recorded order in the %s store',
  (kind) => {
    it('of two status changes of one recognition on one day, recorded together, the second is in force', async () => {
      const store = await openStore(kind, 'order');
      try {
        await store.upsertRecognitions([
          {
            creditCode: CODE,
            category: 'distinctive',
            validFrom: '2025-01-01',
            validUntil: '2027-12-31',
            status: 'active',
            roundId: 'round-120101-2024',
            reason: null,
          },
        ]);
        const change = (eventId: string, status: RecognitionChange['status'], reason: string): RecognitionChange => ({
          eventId,
          creditCode: CODE,
          status,
          category: 'distinctive',
          validUntil: '2027-12-31',
          changedOn: '2026-03-02',
          reason,
        });
        // Found the same day and sent in one batch: cancelled at the re-check, then revoked for a
        // serious violation. Event ids chosen so that their order sorts the second first.
        await store.recordRecognitionChanges([
          change('z-cancel', 'cancelled', 're-check failed'),
          change('a-revoke', 'revoked', 'serious violation'),
        ]);
        expect((await store.recognition(CODE))?.status).toBe('revoked');
        expect((await store.recognitionLife(CODE)).changes.map((c) => c.status)).toEqual(['cancelled', 'revoked']);
        // The table's rows in another physical order than recorded (a later row in the space an
        // earlier one left, as after a vacuum): a scan meets the later one first.
        await rawQuery(store, 'delete from recognition_changes');
        await store.recordRecognitionChanges([change('filler', 'expired', 'filler')]);
        await store.recordRecognitionChanges([change('first', 'cancelled', 're-check failed')]);
        await rawQuery(store, "delete from recognition_changes where event_id = 'filler'");
        await rawQuery(store, 'vacuum recognition_changes');
        await store.recordRecognitionChanges([change('second', 'revoked', 'serious violation')]);
        await rawQuery(store, "update recognition_changes set recorded_at = '2026-03-02T10:00:00Z'");
        expect((await rawQuery(store, 'select event_id from recognition_changes')).map((r) => r.event_id)).toEqual([
          'second',
          'first',
        ]);
        expect((await store.recognition(CODE))?.status).toBe('revoked');
        expect((await store.recognitionLife(CODE)).changes.map((c) => c.status)).toEqual(['cancelled', 'revoked']);
      } finally {
        await store.close();
      }
    });

    it("a business's typing history lists two decisions of one as-of date in the order they were recorded", async () => {
      const store = await openStore(kind, 'history');
      try {
        // A run's decision, then the adjustment of a dispute about it, in one batch of the sink.
        await store.applyDecisions([
          decision('f-run', 'survival', '生存型', 'run:120101:2025-08-15:in-force:0'),
          decision('0-dispute', 'growth', '成长型', 'dispute:d1'),
        ]);
        expect((await store.history(CODE)).map((d) => d.decisionId)).toEqual(['f-run', '0-dispute']);
        expect((await store.decision(CODE))?.type).toBe('growth');
        // Recorded one after the other, the second in the space a deleted row left: a scan meets it first.
        // (From an empty store: the history holds a decision each time it became the current one.)
        await rawQuery(store, 'delete from decision_history');
        await rawQuery(store, 'delete from decisions');
        await store.applyDecisions([{ ...decision('filler', 'survival', '生存型', 'run:x'), creditCode: '92120102MA05T8WQ39' }]);
        await store.applyDecisions([decision('f-run', 'survival', '生存型', 'run:120101:2025-08-15:in-force:0')]);
        await rawQuery(store, "delete from decision_history where decision_id = 'filler'");
        await rawQuery(store, 'vacuum decision_history');
        await store.applyDecisions([decision('0-dispute', 'growth', '成长型', 'dispute:d1')]);
        await rawQuery(store, "update decision_history set recorded_at = '2026-03-02T10:00:00Z'");
        expect((await rawQuery(store, 'select decision_id from decision_history')).map((r) => r.decision_id)).toEqual([
          '0-dispute',
          'f-run',
        ]);
        expect((await store.history(CODE)).map((d) => d.decisionId)).toEqual(['f-run', '0-dispute']);
      } finally {
        await store.close();
      }
    });

    it('tells a bank one correction at a time of both decisions of one business recorded together, in recorded order', async () => {
      const store = await openStore(kind, 'corrections');
      try {
        const bank = 'bank:corrections-one-by-one';
        await store.appendAuditBatch([
          { subject: bank, role: 'bank', action: 'credit-tags.read', purpose: 'credit', creditCode: CODE, outcome: 'ok' },
        ]);
        // Two changes of the business in one batch of the sink: one statement, one recorded time
        // (set a minute after the read, so that both are changes to what the bank read).
        await store.applyDecisions([
          decision('f-first', 'survival', '生存型', null),
          decision('0-second', 'growth', '成长型', null),
        ]);
        await rawQuery(store, "update decision_history set recorded_at = now() + interval '1 minute'");
        const told: string[] = [];
        let after: CorrectionPosition = { recordedAt: '1970-01-01T00:00:00.000Z', creditCode: '', kind: 0, seq: null };
        for (let page = 0; page < 4; page++) {
          const [next, ...rest] = await store.corrections.after(bank, ['credit-tags.read'], after, 1);
          expect(rest).toEqual([]);
          if (next === undefined) break;
          told.push(next.correction.change === 'typing' ? next.correction.type : next.correction.status);
          after = next.position;
        }
        expect(told).toEqual(['survival', 'growth']);
        // A position given before it carried the sequence stands after both.
        expect(await store.corrections.after(bank, ['credit-tags.read'], { ...after, seq: null }, 1)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  },
);
