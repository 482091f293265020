/**
 * A typing run's court list on disk: the latest record per operator, what a decision reads of it,
 * removed at the end. (Its reading on the pool's threads is exercised by the Kafka pipeline tests.)
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CourtIndexReader, CourtIndexWriter } from './courtIndex.js';

const listed = (operatorId: string, recordId: string, dishonest: boolean, reportedAt: number | null) => ({
  operatorId,
  dishonest,
  listedOn: 19_500,
  source: { agency: 'court', feed: 'dishonest-list', line: 1, recordId, reportedAt },
});

describe('the court index', () => {
  it('keeps the record the court knew last per operator, across flushes, and removes its folder', async () => {
    const w = new CourtIndexWriter();
    w.apply('court', listed('OP-1', 'a', true, Date.parse('2025-03-01T00:00:00+08:00')));
    w.apply('court', listed('OP-2', 'b', true, null));
    await w.flush();
    // Delisted in June: replaces March's listing even though March's is already on disk.
    w.apply('court', listed('OP-1', 'c', false, Date.parse('2025-06-01T00:00:00+08:00')));
    // March's export replayed: older than June's, so nothing changes.
    w.apply('court', listed('OP-1', 'a', true, Date.parse('2025-03-01T00:00:00+08:00')));
    await w.close({ remove: false });
    expect(w.size).toBe(2);

    const r = new CourtIndexReader(w.dir);
    expect(r.courtOf('OP-1')).toMatchObject({ dishonest: false, source: { recordId: 'c' } });
    expect(r.courtOf('OP-2')).toMatchObject({ dishonest: true, source: { recordId: 'b' } });
    expect(r.courtOf('OP-3')).toBeUndefined();
    await r.close();

    await w.close({ remove: true });
    expect(existsSync(w.dir)).toBe(false);
  });
});
