/**
 * The recognition ledger (pure): every 名特优新 recognition with its life — recognised by a round,
 * then expired, cancelled at a re-check (取消认定) or revoked (撤销) — built from the events of the
 * round topic (getihu.decision.mtyx) and the badge topic (getihu.decision.badge), which keep
 * their whole history. Rounds, sweeps and revocations read it, so the quota counts what is still
 * held, one operator holds one recognition per district across years, a revocation's bar holds,
 * and a holder is never recognised anew (国市监注发〔2024〕10号 附件 二(四)3、二(六);
 * 津市场监管政务〔2024〕9号 附件2 三、五).
 *
 * A change applies to the recognition it falls within: the latest recognition of the business
 * made on or before the change's date. Events may arrive in any order; the ledger sorts them.
 *
 * A recognition carried across 京津冀 (津市场监管政务〔2024〕9号 二(六) 迁入地对认定的结果予以认可) is a
 * recognition of the destination made on the day it was carried, with the origin's category and
 * last valid day; the origin's recognition ends that day as `transferred`, naming where it went.
 */
import { type DayNumber, formatIsoDate } from '../../lib/dates.js';
import type { MtyxCategory } from '../ruleSet.js';
import type { BusinessType } from '../typing.js';
import type { GrowthFigures } from './lifecycle.js';
import type { ExistingRecognition, SourceExemption } from './round.js';

/** A recognition made by a round. */
export interface RecognisedEvent {
  readonly kind: 'recognised';
  readonly creditCode: string;
  readonly operatorId: string | null;
  readonly district: string;
  readonly category: MtyxCategory;
  readonly route: 'application' | 'recommendation';
  readonly sourceExemption: SourceExemption;
  /** The type at recognition (for the re-check and renewal ground C); null in events older than it. */
  readonly type: BusinessType | null;
  readonly on: DayNumber;
  readonly validUntil: DayNumber;
  readonly roundId: string;
  readonly explanation: string;
  /** The figures it was granted on (for renewal ground A); null in events older than them. */
  readonly figures: GrowthFigures | null;
  /** Where a recognition carried across 京津冀 came from; absent for one a round made. */
  readonly carriedFrom?: CarriedFrom;
}

/** The recognition a carried one continues: its code, district, first day, and the check that carried it. */
export interface CarriedFrom {
  readonly creditCode: string;
  readonly district: string;
  readonly recognisedOn: DayNumber;
  readonly transferCheckId: string;
}

/** A recognition extended by a renewal review (有效期延长3年) on `on`, to `validUntil`. */
export interface ExtendedEvent {
  readonly kind: 'extended';
  readonly creditCode: string;
  readonly on: DayNumber;
  readonly validUntil: DayNumber;
  readonly explanation: string;
}

/**
 * A recognition's end: its validity ran out, a re-check cancelled it, a regulator revoked it, or
 * it was carried to another of Beijing, Tianjin and Hebei.
 */
export interface EndedEvent {
  readonly kind: 'ended';
  readonly creditCode: string;
  readonly status: 'expired' | 'cancelled' | 'revoked' | 'transferred';
  readonly on: DayNumber;
  readonly reason: string;
}

/** An event of the ledger. */
export type LedgerEvent = RecognisedEvent | ExtendedEvent | EndedEvent;

/** One recognition and where it stands. */
export interface LedgerEntry {
  readonly recognition: RecognisedEvent;
  /** Its last valid day, after every extension. */
  readonly validUntil: DayNumber;
  readonly extensions: readonly ExtendedEvent[];
  /** How it ended, if it has. */
  readonly ended: EndedEvent | null;
}

/** Where a recognition stands on a day. */
export type LedgerStatus = 'active' | 'expired' | 'cancelled' | 'revoked' | 'transferred';

/** The recognitions of every business, each business's in the order they were made. */
export class RecognitionLedger {
  readonly #byCode: Map<string, LedgerEntry[]>;

  private constructor(byCode: Map<string, LedgerEntry[]>) {
    this.#byCode = byCode;
  }

  /** Builds the ledger from events in any order. */
  static from(events: Iterable<LedgerEvent>): RecognitionLedger {
    const recognised: RecognisedEvent[] = [];
    const changes: (ExtendedEvent | EndedEvent)[] = [];
    for (const e of events) {
      if (e.kind === 'recognised') recognised.push(e);
      else changes.push(e);
      // The origin's recognition ends the day it is carried.
      if (e.kind === 'recognised' && e.carriedFrom !== undefined)
        changes.push({
          kind: 'ended',
          creditCode: e.carriedFrom.creditCode,
          status: 'transferred',
          on: e.on,
          reason: `carried to ${e.district} as ${e.creditCode} (transfer check ${e.carriedFrom.transferCheckId})`,
        });
    }
    recognised.sort((p, q) => p.on - q.on);
    // By date; on one day an extension before an end, so a review and a sweep of the same day agree.
    changes.sort((p, q) => p.on - q.on || (p.kind === q.kind ? 0 : p.kind === 'extended' ? -1 : 1));
    type Entry = { recognition: RecognisedEvent; validUntil: DayNumber; extensions: ExtendedEvent[]; ended: EndedEvent | null };
    const byCode = new Map<string, Entry[]>();
    for (const r of recognised) {
      let list = byCode.get(r.creditCode);
      if (list === undefined) {
        list = [];
        byCode.set(r.creditCode, list);
      }
      // The same recognition again (a replayed round) is one recognition.
      const last = list.at(-1);
      if (last !== undefined && last.recognition.on === r.on && last.recognition.category === r.category) continue;
      list.push({ recognition: r, validUntil: r.validUntil, extensions: [], ended: null });
    }
    for (const e of changes) {
      const list = byCode.get(e.creditCode);
      // A transfer ends the recognition held before the day it was carried: when the business kept
      // its code, the carried one starts that very day.
      const before = e.kind === 'ended' && e.status === 'transferred';
      const entry = list?.filter((x) => (before ? x.recognition.on < e.on : x.recognition.on <= e.on)).at(-1);
      // Nothing changes a recognition after its end: the first end is its end (a sweep repeated
      // changes nothing), and an extension of an ended one is void.
      if (entry === undefined || entry.ended !== null) continue;
      if (e.kind === 'ended') entry.ended = e;
      else if (e.validUntil > entry.validUntil && e.on <= entry.validUntil) {
        entry.validUntil = e.validUntil;
        entry.extensions.push(e);
      }
    }
    return new RecognitionLedger(byCode as Map<string, LedgerEntry[]>);
  }

  /** Every recognition of a business, oldest first. */
  of(creditCode: string): readonly LedgerEntry[] {
    return this.#byCode.get(creditCode) ?? [];
  }

  /** Every entry, by credit code then date. */
  *entries(): Iterable<LedgerEntry> {
    for (const code of [...this.#byCode.keys()].sort()) yield* this.#byCode.get(code) as LedgerEntry[];
  }

  /** The status of an entry on `on`. */
  static statusOn(e: LedgerEntry, on: DayNumber): LedgerStatus {
    if (e.ended !== null && e.ended.on <= on) return e.ended.status;
    return on > e.validUntil ? 'expired' : 'active';
  }

  /** The entries active on `on` (recognised on or before, not past validity, not ended). */
  activeOn(on: DayNumber): LedgerEntry[] {
    return [...this.entries()].filter((e) => e.recognition.on <= on && RecognitionLedger.statusOn(e, on) === 'active');
  }

  /** The ledger as the round takes it. */
  existing(): ExistingRecognition[] {
    return [...this.entries()].map((e) => {
      const r = e.recognition;
      const end = e.ended;
      return {
        creditCode: r.creditCode,
        operatorId: r.operatorId,
        district: r.district,
        category: r.category,
        recognisedOn: formatIsoDate(r.on),
        validUntil: formatIsoDate(e.validUntil),
        revokedOn: end?.status === 'revoked' ? formatIsoDate(end.on) : null,
        cancelledOn: end?.status === 'cancelled' ? formatIsoDate(end.on) : null,
        transferredOn: end?.status === 'transferred' ? formatIsoDate(end.on) : null,
        carried: r.carriedFrom !== undefined,
        ...(r.carriedFrom === undefined ? {} : { firstRecognisedOn: formatIsoDate(r.carriedFrom.recognisedOn) }),
        route: r.route,
        typeAtRecognition: r.type,
        figures: r.figures,
      };
    });
  }
}
