/**
 * Group commit for work whose cost is mostly per call, not per item (a statement to the store):
 * items handed in while earlier batches are under way go out together in the next batch, and each
 * caller's promise settles with its own item's result.
 *
 * - At most `maxInFlight` batches are under way at once: while one runs, the next is already on
 *   its way, so the caller's thread does not sit idle for a round trip.
 * - A batch leaves once `flushAt` items wait, without waiting for the end of the event loop's
 *   turn (requests that arrive together are handled in one turn, and the store can start on the
 *   first of them meanwhile); otherwise on the next turn, so that one turn's items share a batch.
 * - A batch holds at most `maxBatch` items.
 * - `run` answers one result per item, in the items' order; if it fails, every item of that batch
 *   fails with its error and later batches still run.
 */
export interface BatcherOptions {
  readonly maxBatch: number;
  readonly maxInFlight: number;
  readonly flushAt: number;
}

export class Batcher<I, O> {
  readonly #run: (items: readonly I[]) => Promise<readonly O[]>;
  readonly #o: BatcherOptions;
  readonly #queue: { item: I; resolve: (x: O) => void; reject: (err: unknown) => void }[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(run: (items: readonly I[]) => Promise<readonly O[]>, o: BatcherOptions) {
    if (!(o.maxBatch >= 1 && o.maxInFlight >= 1 && o.flushAt >= 1)) throw new RangeError('batch sizes must be at least 1');
    this.#run = run;
    this.#o = o;
  }

  /** Adds an item to the next batch; resolves with its result once its batch has run. */
  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#inFlight >= this.#o.maxInFlight) return; // the batch under way takes it on when it ends
      if (this.#queue.length >= this.#o.flushAt) {
        this.#pump();
        return;
      }
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#pump();
        });
      }
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#o.maxInFlight) {
      const batch = this.#queue.splice(0, this.#o.maxBatch);
      this.#inFlight++;
      this.#run(batch.map((b) => b.item))
        .then((results) => {
          if (results.length !== batch.length)
            throw new Error(`a batch of ${batch.length} was answered with ${results.length} results`);
          batch.forEach((b, i) => {
            b.resolve(results[i] as O);
          });
        })
        .catch((err: unknown) => {
          for (const b of batch) b.reject(err);
        })
        .finally(() => {
          this.#inFlight--;
          this.#pump();
        });
    }
  }
}

/**
 * `run` shared by the callers that ask for the same key while it is under way: the first call
 * starts it, the others get the same promise; once it settles the next call starts afresh (no
 * result is kept, so none goes stale).
 */
export function sharedWhileRunning<K, V>(run: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const running = new Map<K, Promise<V>>();
  return (key) => {
    let p = running.get(key);
    if (p === undefined) {
      p = run(key);
      running.set(key, p);
      const done = () => running.delete(key);
      p.then(done, done);
    }
    return p;
  };
}
