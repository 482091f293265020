/** The gateway's decision cache: what a lookup answers, dropped whenever an event about the business arrives. */
import { LRUCache } from 'lru-cache';
import type { CreditTagsSnapshot, RecognitionRow, StoredDecision } from '../lib/store/index.js';

/** A business's standing decision and recognition, as the store gave them. */
export interface Snapshot {
  readonly decision: StoredDecision | null;
  readonly recognition: RecognitionRow | null;
}

/** What a bank's tags read of a business: the decision's tag columns and the recognition. */
export type TagsSnapshot = CreditTagsSnapshot;

/** How long a recognition event keeps its business out of the cache (the sink records it well within). */
export const RECOGNITION_HOLD_MS = 30_000;

/** The decision cache: invalidate a code whenever a decision or recognition event about it arrives. */
export class DecisionCache {
  readonly #lru = new LRUCache<string, Snapshot>({ max: 100_000, ttl: 60_000 });
  readonly #tags = new LRUCache<string, TagsSnapshot>({ max: 200_000, ttl: 60_000 });
  readonly #listeners = new Set<() => void>();
  // An event can reach the cache before the sink has stored what it says: until the store shows
  // it, what the store answers is served but not kept. A decision event names its id; a
  // recognition event holds the business out of the cache for a while.
  readonly #awaited = new LRUCache<string, string>({ max: 100_000, ttl: 600_000 });
  readonly #held = new LRUCache<string, true>({ max: 100_000, ttl: RECOGNITION_HOLD_MS });

  /**
   * Drops what is kept of `code`. `decisionId`: the decision an event announced, which a read must
   * show before it is kept again; `hold`: keep nothing of it for RECOGNITION_HOLD_MS.
   */
  invalidate(code: string, expect: { decisionId?: string; hold?: boolean } = {}): void {
    this.#lru.delete(code);
    this.#tags.delete(code);
    if (expect.decisionId !== undefined) this.#awaited.set(code, expect.decisionId);
    if (expect.hold === true) this.#held.set(code, true);
    for (const l of this.#listeners) l();
  }

  /** Whether a read of `code` that shows `decisionId` may be kept. */
  #mayKeep(code: string, decisionId: string | null): boolean {
    if (this.#held.has(code)) return false;
    const awaited = this.#awaited.get(code);
    if (awaited === undefined) return true;
    if (awaited !== decisionId) return false;
    this.#awaited.delete(code);
    return true;
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
    if (this.#mayKeep(code, s.decision?.decisionId ?? null)) this.#lru.set(code, s);
  }
  /** A bank's tags of a business (a narrower read than the snapshot, kept apart). */
  getTags(code: string): TagsSnapshot | undefined {
    return this.#tags.get(code);
  }
  setTags(code: string, s: TagsSnapshot): void {
    if (this.#mayKeep(code, s.tags?.decisionId ?? null)) this.#tags.set(code, s);
  }
}
