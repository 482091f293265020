/**
 * A typing run's court list, read once and kept on disk for the run's threads to look up. The
 * court list is keyed by operator and spread over every partition, while a run's shares are
 * partitions of businesses: if each share read the list itself, the list would be fetched once per
 * partition. The run reads it once into a scratch LMDB environment (the latest record per operator,
 * see `supersedes`), and each share's thread opens the same environment read-only and looks up the
 * operators of its businesses, synchronously, as it assembles their inputs. The folder is removed
 * when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { GetihuError } from '../lib/errors.js';
import type { TopicId } from '../lib/topics.js';
import { type Fact, type FactSink, supersedes } from './state.js';

/** What is kept of a court record: whether the operator is listed as dishonest, the record's id and time. */
type Kept = readonly [dishonest: boolean, recordId: string, reportedAt: number | null];

function factOf(operatorId: string, k: Kept | undefined): Fact | undefined {
  return k === undefined ? undefined : { operatorId, dishonest: k[0], source: { recordId: k[1], reportedAt: k[2] } };
}

/** Writes a run's court list into a scratch folder (a `FactSink` for `loadFacts` of the court topic). */
export class CourtIndexWriter implements FactSink {
  readonly dir: string;
  readonly #root: RootDatabase;
  readonly #court: Database<Kept, string>;
  /** Records applied since the last flush, latest per operator. */
  #pending = new Map<string, Fact>();
  #count = 0;
  #closed = false;

  constructor(parent = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'getihu-court-'));
    // noSync: the folder lives as long as the run and is rebuilt by the next one.
    this.#root = open({ path: this.dir, maxDbs: 1, noSync: true, compression: false });
    this.#court = this.#root.openDB('court', {});
  }

  apply(topic: TopicId, value: Record<string, unknown>): readonly string[] {
    if (topic !== 'court') throw new GetihuError('INTERNAL', `the court index takes court records only, not ${topic} records`);
    const fact = value as Fact;
    const op = fact.operatorId as string;
    const prev = this.#pending.get(op) ?? factOf(op, this.#court.get(op));
    if (!supersedes(fact, prev)) return [];
    if (prev === undefined) this.#count++;
    this.#pending.set(op, fact);
    return [];
  }

  /** Writes what was applied since the last flush, in one transaction. */
  async flush(): Promise<void> {
    const pending = this.#pending;
    if (pending.size === 0) return;
    this.#pending = new Map();
    this.#root.transactionSync(() => {
      for (const [op, f] of pending)
        this.#court.putSync(op, [f.dishonest === true, f.source.recordId, f.source.reportedAt ?? null]);
    });
  }

  /** The operators with a court record applied. */
  get size(): number {
    return this.#count;
  }

  /**
   * Writes what is pending and closes the environment (the threads that read it open their own);
   * with `remove`, deletes its folder. Closing again only removes.
   */
  async close(o: { remove: boolean }): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.flush();
      await this.#root.close();
    }
    if (o.remove) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A run's court list as a thread reads it: one synchronous lookup per operator. */
export class CourtIndexReader {
  readonly #root: RootDatabase;
  readonly #court: Database<Kept, string>;

  constructor(dir: string) {
    this.#root = open({ path: dir, maxDbs: 1, readOnly: true, compression: false });
    this.#court = this.#root.openDB('court', {});
  }

  /** The operator's court record, as much of it as a decision reads. */
  courtOf(operatorId: string): Fact | undefined {
    return factOf(operatorId, this.#court.get(operatorId));
  }

  async close(): Promise<void> {
    await this.#root.close();
  }
}
