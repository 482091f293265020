/**
 * The continuous reconciler's state on disk (LMDB, through `lmdb`): each business's facts, the
 * operator index, the court list, the last decision sent per business, and for every fact topic-
 * partition the offset the state reflects (its checkpoint). What a batch changes is held in memory
 * and written in one transaction with the checkpoint it reaches, so after a crash the state and
 * its offsets agree: a restart reads each partition on from its checkpoint, not from offset 0.
 *
 * Keys begin with the business's partition, so a partition given up in a rebalance is one range
 * to delete. LMDB rather than RocksDB: reads are synchronous and a few microseconds (each fact
 * applied reads its business first), where the RocksDB binding answers every read through a
 * promise; docs/scale.md gives the measurement.
 */
import { mkdirSync } from 'node:fs';
import { type Database, type DatabaseOptions, open, type RootDatabase } from 'lmdb';
import { partitionOf } from '../lib/bus/index.js';
import type { TopicId } from '../lib/topics.js';
import {
  applyToBusiness,
  type BusinessState,
  emptyBusiness,
  type Fact,
  type FactReader,
  type FactSink,
  operatorOf,
  supersedes,
} from './state.js';

/** Bumped when what is stored changes shape: a store of another format is emptied and rebuilt. */
const FORMAT = 1;
/** Separates the parts of a key; no credit code, operator id or topic name holds it. */
const SEP = '\u0001';
/** The byte after `SEP`: the end of a range of keys that begin with a prefix and `SEP`. */
const AFTER = '\u0002';

/** Where a partition's keys begin, and the first key past them. */
const partKey = (p: number) => `${String(p).padStart(5, '0')}${SEP}`;
const partEnd = (p: number) => `${String(p).padStart(5, '0')}${AFTER}`;

/** The state of the partitions one reconciler owns, kept on disk. */
export class FactStore implements FactReader, FactSink {
  readonly #root: RootDatabase;
  readonly #facts: Database<BusinessState, string>;
  readonly #operators: Database<true, string>;
  readonly #court: Database<Fact, string>;
  readonly #decided: Database<string, string>;
  readonly #meta: Database<unknown, string>;
  readonly #partitions: number;
  /** Changes not yet written: businesses, court records, operator index entries, decisions, checkpoints. */
  #dirty = new Map<string, BusinessState>();
  #dirtyCourt = new Map<string, Fact>();
  #indexChanges: { op: string; code: string; add: boolean }[] = [];
  #dirtyDecided = new Map<string, string>();
  #checkpoints = new Map<string, number>();

  private constructor(root: RootDatabase, partitions: number) {
    this.#root = root;
    this.#partitions = partitions;
    // Maps decode as maps (years and review-step keys), objects as records whose shapes are stored
    // once in the database (msgpackr's shared structures), not in every value.
    this.#facts = root.openDB('facts', {
      encoding: 'msgpack',
      mapsAsObjects: false,
      sharedStructuresKey: Symbol.for('structures'),
    } as DatabaseOptions);
    this.#operators = root.openDB('operators', {});
    this.#court = root.openDB('court', {});
    this.#decided = root.openDB('decided', { encoding: 'string' });
    this.#meta = root.openDB('meta', {});
  }

  /**
   * Opens (or creates) the store in `dir` for a topic of `partitions` partitions. A store written in
   * another format or for another partition count is emptied: its keys would be in the wrong places.
   */
  static async open(dir: string, partitions: number): Promise<FactStore> {
    mkdirSync(dir, { recursive: true });
    // noSync: a commit is durable once the process has written it; a machine crash may undo the last
    // commits, state and checkpoint together, and the partition is then read on from the older checkpoint.
    const root = open({ path: dir, maxDbs: 8, noSync: true, compression: false });
    const store = new FactStore(root, partitions);
    const shape = store.#meta.get('format') as { format: number; partitions: number } | undefined;
    if (shape?.format !== FORMAT || shape.partitions !== partitions) {
      for (const db of [store.#facts, store.#operators, store.#court, store.#decided, store.#meta]) await db.clearAsync();
      await store.#meta.put('format', { format: FORMAT, partitions });
    }
    return store;
  }

  #key(code: string): string {
    return `${partKey(partitionOf(code, this.#partitions))}${code}`;
  }

  business(code: string): BusinessState | undefined {
    return this.#dirty.get(code) ?? this.#facts.get(this.#key(code));
  }

  courtOf(operatorId: string): Fact | undefined {
    return this.#dirtyCourt.get(operatorId) ?? this.#court.get(operatorId);
  }

  apply(topic: TopicId, value: Record<string, unknown>): readonly string[] {
    const fact = value as Fact;
    if (topic === 'court') {
      const op = fact.operatorId as string;
      if (!supersedes(fact, this.courtOf(op))) return [];
      this.#dirtyCourt.set(op, fact);
      return this.businessesOf(op);
    }
    const code = fact.creditCode as string;
    const s = this.business(code) ?? emptyBusiness();
    const before = operatorOf(s);
    if (!applyToBusiness(s, topic, fact)) return [];
    this.#dirty.set(code, s);
    const after = operatorOf(s);
    if (before !== after) {
      if (before !== null) this.#indexChanges.push({ op: before, code, add: false });
      if (after !== null) this.#indexChanges.push({ op: after, code, add: true });
    }
    return [code];
  }

  /** The businesses an operator runs (as registered), among the partitions held. */
  businessesOf(operatorId: string): readonly string[] {
    const codes = new Set<string>();
    for (let p = 0; p < this.#partitions; p++) {
      const prefix = `${partKey(p)}${operatorId}${SEP}`;
      for (const k of this.#operators.getKeys({ start: prefix, end: `${partKey(p)}${operatorId}${AFTER}` }))
        codes.add(k.slice(prefix.length));
    }
    for (const c of this.#indexChanges)
      if (c.op === operatorId) {
        if (c.add) codes.add(c.code);
        else codes.delete(c.code);
      }
    return [...codes];
  }

  read(topic: string, partition: number, next: number): void {
    this.#checkpoints.set(`${topic}${SEP}${partition}`, next);
  }

  /** The offset of a topic-partition the state reflects (the next record to read), if any. */
  checkpoint(topic: string, partition: number): number | undefined {
    return (
      this.#checkpoints.get(`${topic}${SEP}${partition}`) ??
      (this.#meta.get(`cp${SEP}${topic}${SEP}${partition}`) as number | undefined)
    );
  }

  /** The id of the last decision sent for a business, if any. */
  decided(code: string): string | undefined {
    return this.#dirtyDecided.get(code) ?? this.#decided.get(this.#key(code));
  }

  setDecided(code: string, decisionId: string): void {
    this.#dirtyDecided.set(code, decisionId);
  }

  /** Writes what changed, with the checkpoints it reaches, in one transaction. */
  async flush(): Promise<void> {
    if (
      this.#dirty.size + this.#dirtyCourt.size + this.#indexChanges.length + this.#dirtyDecided.size + this.#checkpoints.size ===
      0
    )
      return;
    const [dirty, court, index, decided, checkpoints] = [
      this.#dirty,
      this.#dirtyCourt,
      this.#indexChanges,
      this.#dirtyDecided,
      this.#checkpoints,
    ];
    this.#root.transactionSync(() => {
      for (const [code, s] of dirty) this.#facts.put(this.#key(code), s);
      for (const [op, f] of court) this.#court.put(op, f);
      for (const c of index) {
        const k = `${partKey(partitionOf(c.code, this.#partitions))}${c.op}${SEP}${c.code}`;
        if (c.add) this.#operators.put(k, true);
        else this.#operators.remove(k);
      }
      for (const [code, id] of decided) this.#decided.put(this.#key(code), id);
      for (const [k, offset] of checkpoints) this.#meta.put(`cp${SEP}${k}`, offset);
    });
    // Kept until written, so a read during the commit still sees them.
    this.#dirty = new Map();
    this.#dirtyCourt = new Map();
    this.#indexChanges = [];
    this.#dirtyDecided = new Map();
    this.#checkpoints = new Map();
  }

  /** The credit codes held on a partition, in order (what was applied and flushed). */
  *codesOf(partition: number): Generator<string> {
    const prefix = partKey(partition);
    for (const k of this.#facts.getKeys({ start: prefix, end: partEnd(partition) })) yield k.slice(prefix.length);
  }

  /** Gives up a partition: its businesses, index entries, decisions and checkpoints. */
  async release(partition: number): Promise<void> {
    await this.flush();
    const prefix = partKey(partition);
    const end = partEnd(partition);
    const cpSuffix = `${SEP}${partition}`;
    const doomed = ([this.#facts, this.#operators, this.#decided] as Database<unknown, string>[]).map(
      (db) => [db, [...db.getKeys({ start: prefix, end })]] as const,
    );
    const checkpoints = [...this.#meta.getKeys({ start: `cp${SEP}`, end: `cp${AFTER}` })].filter((k) => k.endsWith(cpSuffix));
    await this.#root.transaction(() => {
      for (const [db, keys] of doomed) for (const k of keys) db.remove(k);
      for (const k of checkpoints) this.#meta.remove(k);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#root.close();
  }
}
