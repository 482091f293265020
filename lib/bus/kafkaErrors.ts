/**
 * What a failure of the Kafka client means to the bus: retriable (an outage: a broker down or
 * restarting, a leader moving, metadata not yet settled) or not, and the one `GetihuError` it
 * surfaces as once the bus's retries are spent.
 */
import { GetihuError } from '../errors.js';
import { retry } from '../retry.js';

/**
 * Whether the client calls the failure, or what caused it, retriable. @platformatic/kafka marks
 * each error `canRetry` and gathers the attempts it gave up on, or the errors of one answer's
 * partitions, under one error: retriable when none of them says otherwise.
 */
export function retriableAnywhere(err: unknown): boolean {
  type E = { retriable?: boolean; canRetry?: boolean; cause?: unknown; findBy?: (k: string, v: unknown) => unknown };
  for (let e = err as E | undefined, depth = 0; e != null && depth < 5; depth++) {
    if (e.retriable === true) return true;
    if (typeof e.findBy === 'function') return e.findBy('canRetry', false) == null;
    if (e.canRetry === true) return true;
    e = e.cause as E | undefined;
  }
  return false;
}

/** The failure as the bus reports it: `UNAVAILABLE` unless the client says trying again is no use. */
export function wrap(err: unknown, what: string): GetihuError {
  if (err instanceof GetihuError) return err;
  const e = err as { retriable?: boolean; canRetry?: boolean; message?: string; name?: string; errors?: { message?: string }[] };
  // A client error that gathers others says little itself: name the first under it.
  const under = e.errors?.[0]?.message;
  return new GetihuError(
    e.retriable === false || (e.canRetry === false && !retriableAnywhere(err)) ? 'INTERNAL' : 'UNAVAILABLE',
    `${what}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}${under !== undefined ? ` (${under})` : ''}`,
    undefined,
    { cause: err },
  );
}

/**
 * Retries a call while the client says its error (or the error under it) is retriable, under the
 * one retry policy, then throws it as `wrap` words it.
 */
export async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 12): Promise<T> {
  try {
    return await retry(fn, { initialMs: 100, maxMs: 2000, attempts, retriable: retriableAnywhere });
  } catch (err) {
    throw wrap(err, what);
  }
}

/** Whether the client's error carries the broker's error `apiId` (e.g. `OFFSET_OUT_OF_RANGE`). */
export function hasApiError(err: unknown, apiId: string): boolean {
  const e = err as { findBy?: (k: string, v: unknown) => unknown } | null;
  return typeof e?.findBy === 'function' && e.findBy('apiId', apiId) != null;
}
