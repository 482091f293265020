/**
 * The corrections of a caller's reads, as a page from a cursor and as a server-sent event stream:
 * one implementation for every role that is told of changes to what it read — a bank of the tags
 * and finance measures it fetched, a platform of the badges it shows. Each reader's feed holds the
 * changes (typing decisions, badge status) of the businesses it read under its role's actions.
 */
import type { Request } from 'express';
import { GetihuError } from '../lib/errors.js';
import type { CorrectionPosition } from '../lib/store/index.js';
import type { AuthedHandler, GatewayParts } from './context.js';
import { encodeCorrectionCursor, startingPosition } from './corrections.js';
import { correctionsQuery } from './requests.js';

/** Open correction streams per caller (a role's subject). */
export const MAX_STREAMS_PER_SUBJECT = 4;
/** Open correction streams on one gateway per role (banks' and platforms' apart), all its callers together. */
export const MAX_STREAMS = 64;
/** Corrections per page and per push. */
export const CORRECTIONS_PAGE = 500;

/** Where a reader asks to start: its cursor (or the stream's Last-Event-ID), a time, or the beginning. */
export function correctionsFrom(req: Request): CorrectionPosition {
  const q = correctionsQuery.safeParse(req.query);
  // A reconnecting event stream says where it stood in Last-Event-ID.
  const resume = req.get('last-event-id');
  const asked = q.success ? startingPosition(resume ?? q.data.cursor, q.data.since) : null;
  // Neither a cursor nor a time: from the beginning.
  const after =
    asked === undefined ? { recordedAt: '1970-01-01T00:00:00.000Z', creditCode: '', kind: 0 as const, seq: null } : asked;
  if (after === null)
    throw new GetihuError(
      'INVALID_ARGUMENT',
      'give either cursor (from the previous answer) or since (an ISO timestamp), or neither to start from the beginning',
    );
  return after;
}

/** A role's feed: the read actions it is told of, and the action its own reading of the feed is audited under. */
export interface FeedOf {
  readonly reads: readonly string[];
  readonly audited: string;
}

/**
 * The streams open on one gateway, per caller and per role (F4: a slot is released the moment its
 * client leaves). A caller is its role and subject, so a platform named like a bank takes none of
 * the bank's slots, and each role has its own pool, so no platform can fill the banks' (T17).
 */
export class CorrectionStreams {
  readonly #open = new Map<string, number>();

  /** Takes a slot for `subject` of `role`, or refuses with RATE_LIMITED; returns its release (idempotent). */
  take(role: string, subject: string): () => void {
    const caller = `${role}\u0000${subject}`;
    const pool = `${role}\u0000`;
    if ((this.#open.get(caller) ?? 0) >= MAX_STREAMS_PER_SUBJECT)
      throw new GetihuError('RATE_LIMITED', `at most ${MAX_STREAMS_PER_SUBJECT} open correction streams per caller`, {
        retryAfterSeconds: 5,
      });
    if ((this.#open.get(pool) ?? 0) >= MAX_STREAMS)
      throw new GetihuError('RATE_LIMITED', 'the gateway holds as many correction streams as it serves; try again shortly', {
        retryAfterSeconds: 5,
      });
    const add = (key: string, n: number) => {
      const v = (this.#open.get(key) ?? 0) + n;
      if (v <= 0) this.#open.delete(key);
      else this.#open.set(key, v);
    };
    add(caller, 1);
    add(pool, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      add(caller, -1);
      add(pool, -1);
    };
  }
}

/** A page of the caller's corrections from where it asks, and the cursor to go on from. */
export function correctionPage(g: Pick<GatewayParts, 'o' | 'audit'>, feed: FeedOf): AuthedHandler {
  return async (req, res, p) => {
    const after = correctionsFrom(req);
    const page = await g.o.store.corrections.after(p.subject, feed.reads, after, CORRECTIONS_PAGE);
    await g.audit(req, feed.audited, null, `${page.length}`);
    res.json({
      corrections: page.map((c) => c.correction),
      cursor: encodeCorrectionCursor(page.at(-1)?.position ?? after),
    });
  };
}

/** The same corrections pushed as they happen, over a server-sent event stream whose ids are cursors. */
export function correctionStream(
  g: Pick<GatewayParts, 'o' | 'audit' | 'cache'>,
  feed: FeedOf,
  streams: CorrectionStreams,
): AuthedHandler {
  return async (req, res, p) => {
    let after = correctionsFrom(req);
    // The slot is taken and its release armed in the same turn (F4): a client that leaves while
    // the audit is written gives its slot back, never keeps it.
    const release = streams.take(p.role, p.subject);
    req.on('close', release);
    try {
      await g.audit(req, `${feed.audited}.stream`, null, 'open');
    } catch (err) {
      release();
      throw err;
    }
    if (req.destroyed) return release();
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.flushHeaders();
    let closed = false;
    let checking = false;
    let again = false;
    // Sends what changed since `after`; a change signalled while a check runs starts another.
    const check = async (): Promise<void> => {
      if (closed) return;
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const list = await g.o.store.corrections.after(p.subject, feed.reads, after, CORRECTIONS_PAGE);
          if (list.length === 0 || closed) break;
          await g.audit(req, feed.audited, null, `${list.length} pushed`);
          for (const c of list) {
            after = c.position;
            res.write(`id: ${encodeCorrectionCursor(after)}\nevent: correction\ndata: ${JSON.stringify(c.correction)}\n\n`);
          }
          again ||= list.length === CORRECTIONS_PAGE;
        } while (again && !closed);
      } catch {
        if (!closed) res.write('event: unavailable\ndata: {"code":"UNAVAILABLE"}\n\n');
      } finally {
        checking = false;
      }
    };
    // A decision or badge event reaches the gateway's cache about when the sink records it:
    // look shortly after, and again a little later in case the sink was behind.
    const timers = new Set<NodeJS.Timeout>();
    const checkIn = (ms: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        void check();
      }, ms);
      timers.add(t);
    };
    let signalled = false;
    const stopListening = g.cache.onChange(() => {
      if (signalled) return;
      signalled = true;
      setTimeout(() => {
        signalled = false;
      }, 250);
      checkIn(300);
      checkIn(2000);
    });
    const heartbeat = setInterval(() => {
      res.write(': keep-alive\n\n');
      void check();
    }, 15_000);
    req.on('close', () => {
      closed = true;
      stopListening();
      clearInterval(heartbeat);
      for (const t of timers) clearTimeout(t);
    });
    await check();
  };
}
