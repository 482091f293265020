/**
 * Reading Kafka: fetch requests of @platformatic/kafka at positions kept here, under both ways
 * the bus reads — a snapshot (given partitions up to given offsets, no group at all) and a group
 * member (partitions co-assigned, each batch committed only after its handler resolved). The
 * client's own message stream is not used: it fetches ahead of the handler and, after a
 * rebalance, may hand over records of a partition the member no longer owns or skip records it
 * had already buffered; here a position moves only when its batch is handled.
 */
import type {
  ClusterMetadata,
  Consumer,
  ExtendedGroupProtocolSubscription,
  GroupAssignment,
  GroupPartitionsAssignments,
  KafkaRecord,
  RecordsBatch,
} from '@platformatic/kafka';
import { GetihuError } from '../errors.js';
import type { InRecord } from './bus.js';

/** One topic's partitions in a fetch request. */
type FetchRequestTopic = Parameters<Consumer['fetch']>[0]['topics'][number];

/** Attribute bit of a control batch (a transaction marker), which carries no records to read. */
const IS_CONTROL = 1 << 5;

/** Where to read next, per topic, per partition. */
export type Positions = Map<string, Map<number, number>>;

/** What one partition answered to a fetch: its records from the position asked, and the position after them. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly InRecord[];
  readonly next: number;
}

/** How much one fetch asks for, and how long the broker may wait for it. */
export interface FetchSizes {
  readonly maxWaitTime: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
}

function headersOf(h: readonly [Buffer | null, Buffer | null][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h) if (k !== null) out[k.toString('utf8')] = v === null ? '' : v.toString('utf8');
  return out;
}

function toInRecord(topic: string, partition: number, offset: number, r: KafkaRecord): InRecord {
  return {
    topic,
    partition,
    offset,
    key: r.key === null ? null : r.key.toString('utf8'),
    value: r.value,
    headers: headersOf(r.headers),
  };
}

/** A partition's batches as records at or after `from` (a batch may begin before it), and where the next read begins. */
function toBatch(topic: string, partition: number, from: number, batches: readonly RecordsBatch[]): PartitionBatch {
  const records: InRecord[] = [];
  let next = from;
  for (const b of batches) {
    const first = Number(b.firstOffset);
    next = Math.max(next, first + b.lastOffsetDelta + 1);
    if ((b.attributes & IS_CONTROL) !== 0) continue;
    for (const r of b.records) {
      const offset = first + r.offsetDelta;
      if (offset >= from) records.push(toInRecord(topic, partition, offset, r));
    }
  }
  return { topic, partition, records, next };
}

/**
 * One fetch round: every partition in `positions` asked of its leader at its position, one
 * request per leader, all at once. Returns each partition that answered with records.
 */
export async function fetchRound(reader: Consumer, positions: Positions, sizes: FetchSizes): Promise<PartitionBatch[]> {
  const metadata = await reader.metadata({ topics: [...positions.keys()] });
  const byLeader = new Map<number, FetchRequestTopic[]>();
  const names = new Map<string, string>();
  for (const [topic, partitions] of positions) {
    if (partitions.size === 0) continue;
    const t = metadata.topics.get(topic);
    if (t === undefined) throw new GetihuError('UNAVAILABLE', `reading ${topic}: the cluster does not know the topic`);
    names.set(t.id, topic);
    for (const [partition, offset] of partitions) {
      const leader = t.partitions[partition]?.leader ?? -1;
      if (leader < 0) throw new GetihuError('UNAVAILABLE', `reading ${topic}: partition ${partition} has no leader`);
      const requests = byLeader.get(leader) ?? [];
      byLeader.set(leader, requests);
      let request = requests.find((r) => r.topicId === t.id);
      if (request === undefined) {
        request = { topicId: t.id, partitions: [] };
        requests.push(request);
      }
      request.partitions.push({
        partition,
        fetchOffset: BigInt(offset),
        partitionMaxBytes: sizes.partitionMaxBytes,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
    }
  }
  const answers = await Promise.all(
    [...byLeader].map(([node, topics]) =>
      reader.fetch({ node, topics, maxWaitTime: sizes.maxWaitTime, maxBytes: sizes.maxBytes, minBytes: 1 }),
    ),
  );
  const out: PartitionBatch[] = [];
  for (const answer of answers)
    for (const t of answer.responses) {
      const topic = names.get(t.topicId);
      if (topic === undefined) continue;
      for (const p of t.partitions) {
        const from = positions.get(topic)?.get(p.partitionIndex);
        if (from === undefined || p.records === undefined || p.records.length === 0) continue;
        out.push(toBatch(topic, p.partitionIndex, from, p.records));
      }
    }
  return out;
}

/** The first offset still in each partition of `topics` (what a reader with nothing committed starts from). */
export async function logStarts(reader: Consumer, topics: readonly string[]): Promise<Map<string, number[]>> {
  const offsets = await reader.listOffsets({ topics: [...topics], timestamp: -2n });
  return new Map([...offsets].map(([t, ps]) => [t, ps.map(Number)]));
}

/** Moves positions before the log's start (records removed under them) up to it. */
export async function moveUpToLogStarts(reader: Consumer, positions: Positions): Promise<void> {
  const starts = await logStarts(reader, [...positions.keys()]);
  for (const [topic, at] of positions) for (const [p, o] of at) at.set(p, Math.max(o, starts.get(topic)?.[p] ?? 0));
}

/** The name under which the co-partitioned assignment is offered to the group. */
export const CO_PARTITIONED = 'GetihuCoPartitioned';

/**
 * Partition p of every topic to the same member, among the members subscribed to that topic: a
 * member is never given a topic it did not ask for, and a topic only some members read is shared
 * among those (two deployments that somehow share a group still each get all their partitions).
 * The topics are those any member asked for, not the leader's alone.
 */
export function coPartitioned(
  _leader: string,
  members: Map<string, ExtendedGroupProtocolSubscription>,
  _leaderTopics: Set<string>,
  metadata: ClusterMetadata,
): GroupPartitionsAssignments[] {
  const sorted = [...members.values()].map((m) => ({ id: m.memberId, topics: m.topics ?? [] }));
  sorted.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const assignment = new Map(sorted.map((m) => [m.id, new Map<string, GroupAssignment>()]));
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const readers = sorted.filter((m) => m.topics.includes(topic));
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let p = 0; p < count; p++) {
      const owner = assignment.get((readers[p % readers.length] as { id: string }).id) as Map<string, GroupAssignment>;
      const entry = owner.get(topic) ?? { topic, partitions: [] };
      entry.partitions.push(p);
      owner.set(topic, entry);
    }
  }
  return sorted.map((m) => ({ memberId: m.id, assignments: assignment.get(m.id) ?? new Map() }));
}
