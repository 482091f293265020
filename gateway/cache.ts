/** The gateway's decision cache: what a lookup answers, dropped whenever an event about the business arrives. */
import { LRUCache } from 'lru-cache';
import type { CreditTagsRow, RecognitionRow, StoredDecision } from '../lib/store/store.js';

/** A business's standing decision and recognition, as the store gave them. */
export interface Snapshot {
  readonly decision: StoredDecision | null;
  readonly recognition: RecognitionRow | null;
}

/** What a bank's tags read of a business: the decision's tag columns and the recognition. */
export interface TagsSnapshot {
  readonly tags: CreditTagsRow | null;
  readonly recognition: RecognitionRow | null;
}

/** The decision cache: invalidate a code whenever a decision or recognition event about it arrives. */
export class DecisionCache {
  readonly #lru = new LRUCache<string, Snapshot>({ max: 100_000, ttl: 60_000 });
  readonly #tags = new LRUCache<string, TagsSnapshot>({ max: 200_000, ttl: 60_000 });
  readonly #listeners = new Set<() => void>();
  invalidate(code: string): void {
    this.#lru.delete(code);
    this.#tags.delete(code);
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
  /** A bank's tags of a business (a narrower read than the snapshot, kept apart). */
  getTags(code: string): TagsSnapshot | undefined {
    return this.#tags.get(code);
  }
  setTags(code: string, s: TagsSnapshot): void {
    this.#tags.set(code, s);
  }
}
