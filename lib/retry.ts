/**
 * The one retry policy: try again while the error says it is retriable (an outage, not the
 * caller's mistake), pausing with doubling pauses up to a ceiling, on a clock that tests replace.
 * Every loop that waits and tries again — the bus's calls, schema registration, a batch that
 * waits for a dependency, a lease that waits for its holder — takes its pauses from here.
 */

/** Time, as the retry loops see it. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Doubling pauses: `initialMs`, twice that, … never more than `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The pauses of `b`, one per attempt after the first, without end. */
export function* pauses(b: Backoff): Generator<number, never> {
  for (let p = b.initialMs; ; p = Math.min(p * 2, b.maxMs)) yield Math.min(p, b.maxMs);
}

/** How to retry. */
export interface RetryOptions extends Backoff {
  /** Attempts in all, the first included (default: without end). */
  readonly attempts?: number;
  /** Whether a failure is worth another attempt; any other is thrown at once. */
  readonly retriable: (err: unknown) => boolean;
  readonly clock?: Clock;
  /** Told of each failure that is tried again, before the pause. */
  readonly onRetry?: (err: unknown, attempt: number, pauseMs: number) => void;
}

/**
 * Calls `fn` (with the attempt's number, from 1) until it succeeds, a failure is not retriable, or
 * the attempts are spent; throws the last failure.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const clock = o.clock ?? systemClock;
  const next = pauses(o);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!o.retriable(err) || attempt >= (o.attempts ?? Number.POSITIVE_INFINITY)) throw err;
      const pause = next.next().value;
      o.onRetry?.(err, attempt, pause);
      await clock.sleep(pause);
    }
  }
}

/** Whether an error says it is retriable (`GetihuError.retriable`, or a client's own flag). */
export function saysRetriable(err: unknown): boolean {
  return (err as { retriable?: unknown } | null)?.retriable === true;
}
