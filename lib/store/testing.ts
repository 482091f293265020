/**
 * For tests, benches and test helpers only — a lint rule keeps every other file from importing
 * it: raw SQL on a store (tests that tamper with the audit log, or drop a test's schema). The parts
 * reach the store through its typed repositories; the facade has no public way to run any SQL.
 */
import { RAW_SQL } from './rawSql.js';
import type { Store } from './store.js';

/** Runs `text` with `params` on `store`, answering its rows. */
export function rawQuery(store: Store, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return store[RAW_SQL](text, params);
}
