/**
 * Corrections: what changed about the businesses a caller read (new typing decisions, badge
 * status changes) — a bank's tags, a platform's badges — read in recorded order from an opaque
 * cursor, by the pull feeds, the event streams and the banks' webhooks alike.
 */
import { z } from 'zod';
import type { CorrectionPosition } from '../lib/store/index.js';

/** The audited action of a bank's tag read: corrections are about the codes read under it. */
export const TAG_READ_ACTION = 'credit-tags.read';

/**
 * The corrections cursor: where the reader stands, opaque to it. Its text is the position's
 * JSON array (time, credit code, kind, sequence) in base64url.
 */
export function encodeCorrectionCursor(p: CorrectionPosition): string {
  return Buffer.from(JSON.stringify([p.recordedAt, p.creditCode, p.kind, p.seq])).toString('base64url');
}

const positionHead = [z.iso.datetime(), z.string().max(18), z.union([z.literal(0), z.literal(1)])] as const;
/** A cursor given since the sequence is in it, or one given before (three parts: after every change of its time, business and kind). */
const cursorShape = z.union([z.tuple([...positionHead, z.number().int().nonnegative().nullable()]), z.tuple([...positionHead])]);

/** Reads a cursor; null when it is not one this gateway gave. */
export function decodeCorrectionCursor(cursor: string): CorrectionPosition | null {
  try {
    const t = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!t.success) return null;
    const [recordedAt, creditCode, kind] = t.data;
    return { recordedAt, creditCode, kind, seq: t.data.length === 4 ? t.data[3] : null };
  } catch {
    return null;
  }
}

/**
 * Where a reader asks to start: after `cursor`, or after the time `since`; undefined when it gave
 * neither, null when the cursor is not one this gateway gave.
 */
export function startingPosition(cursor: string | undefined, since: string | undefined): CorrectionPosition | null | undefined {
  if (cursor !== undefined) return decodeCorrectionCursor(cursor);
  if (since !== undefined) return { recordedAt: new Date(since).toISOString(), creditCode: '', kind: 0, seq: null };
  return undefined;
}

/**
 * A bank's reads that it is told of changes to: its tags, and the finance measures (精准帮扶) a
 * business authorised it to read — which change with the business's type and recognition.
 */
export const SUPPORT_READ_ACTION = 'support.bank';

/** What a bank is told of changes to: the businesses whose tags or finance measures it read. */
export const BANK_READS: readonly string[] = [TAG_READ_ACTION, SUPPORT_READ_ACTION];

/**
 * What a platform is told of changes to: the businesses whose badge it was given or whose traffic
 * measures it read — a badge it shows that is revoked, cancelled or expired, a type that changed.
 */
export const PLATFORM_READS: readonly string[] = ['badge.read', 'support.platform'];
