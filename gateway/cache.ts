/** The gateway's decision cache: what a lookup answers, dropped whenever an event about the business arrives. */
import { LRUCache } from 'lru-cache';
import type { RecognitionRow, StoredDecision } from '../lib/store/store.js';

/** A business's standing decision and recognition, as the store gave them. */
export interface Snapshot {
  readonly decision: StoredDecision | null;
  readonly recognition: RecognitionRow | null;
}

/** The decision cache: invalidate a code whenever a decision or recognition event about it arrives. */
export class DecisionCache {
  readonly #lru = new LRUCache<string, Snapshot>({ max: 100_000, ttl: 60_000 });
  readonly #listeners = new Set<() => void>();
  invalidate(code: string): void {
    this.#lru.delete(code);
    for (const l of this.#listeners) l();
  }
  /** Calls `fn` on every invalidation (something changed); returns how to stop. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }
  get(code: string): Snapshot | undefined {
    return this.#lru.get(code);
  }
  set(code: string, s: Snapshot): void {
    this.#lru.set(code, s);
  }
}
