/**
 * The in-process bus: topics with partitions, keys partitioned as Kafka does, compaction on
 * read of the snapshot (the latest record per key survives, as after the cleaner), consumer
 * groups with co-partitioned assignment and committed offsets. Nothing leaves the process.
 */
import { GetihuError } from '../errors.js';
import { watchConsumerLag } from '../observe/index.js';
import {
  type BatchHandler,
  type Bus,
  consumerLagOf,
  handleUntilDone,
  type InRecord,
  type OutRecord,
  partitionOf,
  type Subscription,
  type TopicConfig,
} from './bus.js';

interface Log {
  readonly config: TopicConfig;
  readonly partitions: InRecord[][];
}

interface Member {
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  readonly onAssigned: ((a: ReadonlyMap<string, readonly number[]>) => Promise<void>) | undefined;
  assignment: Map<string, number[]>;
  stopped: boolean;
  running: Promise<void> | undefined;
}

const BATCH = 1000;

/** The in-process bus. */
export class EmbeddedBus implements Bus {
  readonly mode = 'embedded' as const;
  readonly #logs = new Map<string, Log>();
  readonly #committed = new Map<string, number[]>();
  readonly #groups = new Map<string, Member[]>();
  #wake: (() => void)[] = [];
  #closed = false;

  async ensureTopics(topics: readonly TopicConfig[]): Promise<void> {
    for (const t of topics) {
      if (!this.#logs.has(t.name))
        this.#logs.set(t.name, { config: t, partitions: Array.from({ length: t.partitions }, () => []) });
    }
  }

  #log(topic: string): Log {
    const log = this.#logs.get(topic);
    if (log === undefined) throw new GetihuError('INVALID_ARGUMENT', `unknown topic ${topic}`);
    return log;
  }

  async partitions(topic: string): Promise<number> {
    return this.#log(topic).partitions.length;
  }

  async send(topic: string, records: readonly OutRecord[]): Promise<void> {
    if (this.#closed) throw new GetihuError('UNAVAILABLE', 'the bus is closed');
    const log = this.#log(topic);
    const n = log.partitions.length;
    let rr = 0;
    for (const r of records) {
      const pk = r.partitionKey ?? r.key;
      const p = r.partition ?? (pk === null ? rr++ % n : partitionOf(pk, n));
      const part = log.partitions[p] as InRecord[];
      part.push({ topic, partition: p, offset: part.length, key: r.key, value: r.value, headers: r.headers ?? {} });
    }
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  async endOffsets(topic: string): Promise<number[]> {
    return this.#log(topic).partitions.map((p) => p.length);
  }

  async startOffsets(topic: string): Promise<number[]> {
    return this.#log(topic).partitions.map(() => 0);
  }

  async *readSnapshot(
    topic: string,
    partitions?: readonly number[],
    upTo?: readonly number[],
    from?: readonly number[],
  ): AsyncIterable<readonly InRecord[]> {
    const log = this.#log(topic);
    const ends = upTo ?? log.partitions.map((p) => p.length);
    for (let p = 0; p < log.partitions.length; p++) {
      if (partitions !== undefined && !partitions.includes(p)) continue;
      let records = (log.partitions[p] as InRecord[]).slice(from?.[p] ?? 0, ends[p]);
      if (log.config.compacted) {
        // What the log cleaner leaves: the latest record per key (order of survivors kept).
        const last = new Map<string | null, number>();
        records.forEach((r, i) => {
          last.set(r.key, i);
        });
        records = records.filter((r, i) => r.key === null || last.get(r.key) === i);
      }
      for (let i = 0; i < records.length; i += BATCH) yield records.slice(i, i + BATCH);
    }
  }

  async committed(group: string, topic: string): Promise<number[]> {
    const n = this.#log(topic).partitions.length;
    const c = this.#committed.get(`${group}|${topic}`);
    return Array.from({ length: n }, (_, p) => c?.[p] ?? -1);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.#logs.delete(t);
  }

  async commit(group: string, topic: string, offsets: readonly number[]): Promise<void> {
    const key = `${group}|${topic}`;
    const c = [...(this.#committed.get(key) ?? Array.from({ length: this.#log(topic).partitions.length }, () => 0))];
    offsets.forEach((o, p) => {
      if (o >= 0) c[p] = o;
    });
    this.#committed.set(key, c);
  }

  async subscribe(
    group: string,
    topics: readonly string[],
    handler: BatchHandler,
    onAssigned?: (a: ReadonlyMap<string, readonly number[]>) => Promise<void>,
  ): Promise<Subscription> {
    for (const t of topics) this.#log(t);
    const member: Member = { topics, handler, onAssigned, assignment: new Map(), stopped: false, running: undefined };
    const members = this.#groups.get(group) ?? [];
    members.push(member);
    this.#groups.set(group, members);
    this.#rebalance(group);
    member.running = this.#loop(group, member);
    const unwatch = watchConsumerLag(group, () => consumerLagOf(this, group, topics));
    return {
      assigned: () => member.assignment,
      stop: async () => {
        unwatch();
        member.stopped = true;
        for (const w of this.#wake.splice(0)) w();
        await member.running;
        const rest = (this.#groups.get(group) ?? []).filter((m) => m !== member);
        this.#groups.set(group, rest);
        this.#rebalance(group);
      },
    };
  }

  /** Co-partitioned assignment: partition p of every topic to member p mod n. */
  #rebalance(group: string): void {
    const members = (this.#groups.get(group) ?? []).filter((m) => !m.stopped);
    members.forEach((m, i) => {
      const a = new Map<string, number[]>();
      for (const t of m.topics) {
        const n = this.#log(t).partitions.length;
        a.set(
          t,
          Array.from({ length: n }, (_, p) => p).filter((p) => p % members.length === i),
        );
      }
      m.assignment = a;
    });
  }

  async #loop(group: string, m: Member): Promise<void> {
    let announced: Map<string, number[]> | undefined;
    while (!m.stopped && !this.#closed) {
      if (announced !== m.assignment) {
        announced = m.assignment;
        await m.onAssigned?.(announced);
      }
      let progressed = false;
      for (const [topic, parts] of m.assignment) {
        const key = `${group}|${topic}`;
        const log = this.#log(topic);
        const committed = this.#committed.get(key) ?? Array.from({ length: log.partitions.length }, () => 0);
        for (const p of parts) {
          const from = Math.max(0, committed[p] ?? 0);
          const part = log.partitions[p] as InRecord[];
          if (from >= part.length) continue;
          const batch = part.slice(from, from + BATCH);
          if (!(await handleUntilDone(m.handler, batch, { group, running: () => !m.stopped && !this.#closed }))) return;
          committed[p] = from + batch.length;
          this.#committed.set(key, committed);
          progressed = true;
          if (m.stopped) return;
        }
      }
      if (!progressed) await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#wake.splice(0)) w();
    const all = [...this.#groups.values()].flat();
    for (const m of all) m.stopped = true;
    await Promise.all(all.map((m) => m.running));
  }
}
