/**
 * `npm run bench -- pipeline [--businesses N] [--partitions P (12)] [--json]`, against the local Kafka, registry and
 * PostgreSQL (started if needed). In one run, over the same number of messages M (the facts of
 * N generated businesses):
 *   L1  the raw Kafka client (@platformatic/kafka, the bus's): produce M messages (acks=all,
 *       idempotent) and consume them in a group;
 *   L2  L1 plus Avro encoding with registry framing of the real fact values, and decoding;
 *   L4  the full pipeline from the agencies' CSV files to acknowledged decisions: connectors
 *       (parse, check, encode, produce), then a typing run (snapshot read, decide on the pool,
 *       emit one decision per business). Its threads are started before its clock (as a serving
 *       process holds them); the seconds that took are reported as `poolStartSeconds`.
 * Reports seconds, businesses/s, facts/s per lane, peak RSS (the whole run's, and each lane's:
 * resident memory at its start and its peak during it), and L4/L1 (messages/s ratio). The typing
 * run is then repeated by the `run` command in a process of its own, whose peak memory is the
 * pipeline's as deployed (`runProcess`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Consumer, ProduceAcks, Producer } from '@platformatic/kafka';
import { CheckPool, exportFeeds, FEEDS, ingestLines, splitBusiness } from '../connectors/index.js';
import { infraUp } from '../deploy/local/infra.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { prefixed, TOPICS, type TopicId } from '../lib/topics.js';
import { DecisionPool, runTyping } from '../pipeline/index.js';
import { Codec, RemoteSchemaStore } from '../schemas/index.js';
import { deleteTopicsWithPrefix, dropSchema, openBenchPipeline } from './cleanup.js';

interface Lane {
  seconds: number;
  messages: number;
  messagesPerSecond: number;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** A lane's resident memory in MiB: at its start, and its peak while it ran. */
interface LaneMemory {
  startRssMiB: number;
  peakRssMiB: number;
}

/**
 * Starts measuring a lane's memory: collects garbage (when the bench runs with --expose-gc), resets
 * the process's peak resident size (Linux: 5 to /proc/self/clear_refs) and returns how to read the
 * peak since. The kernel moves its peak lazily, so resident size is also sampled every 100 ms and
 * the higher of the two is the peak. Null where /proc is not there to read.
 */
function laneMemory(): () => LaneMemory | null {
  const read = (field: 'VmRSS' | 'VmHWM') => {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? Number.NaN : Math.round(Number(m[1]) / 1024);
  };
  try {
    (globalThis as { gc?: () => void }).gc?.();
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    return () => null;
  }
  const startRssMiB = read('VmRSS');
  let sampled = 0;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 100);
  sampler.unref();
  return () => {
    clearInterval(sampler);
    return { startRssMiB, peakRssMiB: Math.max(read('VmHWM'), Math.round(sampled / 2 ** 20)) };
  };
}

async function rawLane(
  brokers: string[],
  partitions: number,
  topic: string,
  payloads: { key: string; value: Buffer }[],
  decode?: (b: Buffer) => Promise<unknown>,
): Promise<Lane> {
  const client = { clientId: 'bench', bootstrapBrokers: brokers };
  const admin = new Admin(client);
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  const producer = new Producer({ ...client, idempotent: true, acks: ProduceAcks.ALL });
  const consumer = new Consumer({ ...client, groupId: `${topic}-g` });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < payloads.length; i += 500) {
    const messages = payloads.slice(i, i + 500).map((p) => ({ topic, key: Buffer.from(p.key), value: p.value }));
    await producer.send({ messages });
  }
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true });
  let seen = 0;
  for await (const m of stream) {
    if (decode !== undefined && m.value !== null && m.value !== undefined) await decode(m.value);
    if (++seen >= payloads.length) break;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await stream.close().catch(() => undefined);
  await consumer.close().catch(() => undefined);
  await producer.close().catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.close();
  return { seconds, messages: payloads.length, messagesPerSecond: Math.round(payloads.length / seconds) };
}

/** The typing run again, as deployed: the `run` command in a process of its own, its peak resident memory read from /proc. */
interface RunProcess {
  seconds: number;
  peakRssMiB: number | null;
  decisions: number;
}

/**
 * Runs `getihu run` over the topics L4 filled, in a process of its own with `threads` decision
 * threads, and samples its peak resident size (VmHWM, which counts its threads) every 100 ms.
 */
async function runProcess(env: Record<string, string>, threads: number): Promise<RunProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'app/cli.ts', 'run', '--area', '000000', '--as-of', '2025-08-15', '--threads', String(threads)],
    { env: { ...process.env, ...env, GETIHU_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const t0 = process.hrtime.bigint();
  let peak: number | null = null;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m !== null) peak = Math.max(peak ?? 0, Math.round(Number(m[1]) / 1024));
    } catch {
      // Gone, or no /proc here.
    }
  };
  const sampler = setInterval(sample, 100);
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`the run process exited with ${code}`);
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    peakRssMiB: peak,
    decisions: (JSON.parse(out) as { decisions: number }).decisions,
  };
}

/** Runs the pipeline benchmark. */
export async function benchPipeline(businesses: number, partitions = 12): Promise<Record<string, unknown>> {
  const infra = await infraUp();
  const brokers = infra.KAFKA_BROKERS.split(',');
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  log(`generating ${businesses} businesses and their agency files…`);
  const setupMemory = laneMemory();
  // Released before L4 (as are the L1/L2 payloads), so that L4's memory is its own.
  let records: Record<string, unknown>[] = [...generateBusinesses({ region: 'tianjin', businesses, seed: 2024 })];
  const dir = mkdtempSync(join(tmpdir(), 'getihu-pipeline-'));
  try {
    const files = await exportFeeds(records, 2024, dir, 'csv');
    const messages = [...files.values()].reduce((n, f) => n + f.records, 0);

    // Payloads for L1/L2: the same count, real keys; L1 random bytes of the average encoded size.
    const codec = await Codec.create(new RemoteSchemaStore(infra.SCHEMA_REGISTRY_URL), `${prefix}.l2`);
    let l2: { key: string; value: Buffer }[] = [];
    // The feed's topic under the L2 prefix, named as the pipeline names it.
    const topicOfFeed = (feedKey: string) => prefixed(`${prefix}.l2`, TOPICS[FEEDS.get(feedKey)?.topic as TopicId]);
    log('encoding the L2 payloads…');
    const encodeStart = process.hrtime.bigint();
    for (const b of records) {
      for (const r of splitBusiness(b, 2024)) {
        const feed = FEEDS.get(r.feed)!;
        const row = { ...r.row };
        feed.check(row, { allowCodes: new Set() });
        const fact = feed.toFact(row, { agency: feed.agency, feed: 'bench', line: 1, recordId: 'r' });
        l2.push({ key: fact.key, value: codec.encode(topicOfFeed(r.feed), fact.value) });
      }
    }
    const encodeSeconds = Number(process.hrtime.bigint() - encodeStart) / 1e9;
    const avg = Math.round(l2.reduce((n, x) => n + x.value.length, 0) / l2.length);
    let l1payloads = l2.map((x) => ({ key: x.key, value: randomBytes(avg) }));
    records = [];

    log(`L1: ${messages} raw messages…`);
    const Smemory = setupMemory();
    const l1memory = laneMemory();
    const L1 = await rawLane(brokers, partitions, `${prefix}.l1`, l1payloads);
    const L1memory = l1memory();
    l1payloads = [];
    log(`L2: ${messages} Avro messages…`);
    const l2memory = laneMemory();
    const l2topic = `${prefix}.l2.raw`;
    const decodeTopic = `${prefix}.l2.getihu.fact.registration`;
    const L2raw = await rawLane(brokers, partitions, l2topic, l2, async (v) =>
      codec.decode(decodeTopic, v).catch(() => undefined),
    );
    const L2memory = l2memory();
    l2 = [];
    const L2 = {
      ...L2raw,
      seconds: L2raw.seconds + encodeSeconds,
      messagesPerSecond: Math.round(messages / (L2raw.seconds + encodeSeconds)),
    };

    log('L4: files → connectors → run → decisions…');
    const l4memory = laneMemory();
    const p = await openBenchPipeline(infra, `${prefix}.l4`, prefix, partitions);
    // One decision thread per core: the main thread mostly waits on the pool while it decides.
    // One thread per core for checking and encoding the files' lines, then for deciding: the
    // main thread mostly sends (ingest) and waits on the pool (run).
    const threads = availableParallelism();
    const checkPool = new CheckPool(threads);
    const pool = new DecisionPool(threads);
    // The threads start before the clock, as a serving process holds them: a thread starting costs
    // about a second of a core (Node, then the module graph through tsx), once per process and not
    // per fact, and the four starting during the first file took it 2–3 s longer. Reported apart.
    const tStart = process.hrtime.bigint();
    await Promise.all([checkPool.started(), pool.started()]);
    const poolStartSeconds = Number(process.hrtime.bigint() - tStart) / 1e9;
    const t4 = process.hrtime.bigint();
    let rejected = 0;
    for (const [feedKey, f] of files) {
      const s = await ingestLines(createReadStream(f.file), 'csv', {
        bus: p.ctx.bus,
        codec: p.ctx.codec,
        feed: FEEDS.get(feedKey)!,
        source: f.file,
        topicPrefix: p.ctx.prefix,
        pool: checkPool,
      });
      rejected += s.rejected;
    }
    const ingestSeconds = Number(process.hrtime.bigint() - t4) / 1e9;
    await checkPool.close();
    // Where the run's time goes: reading the snapshot (up to the first acknowledged batch), then
    // deciding and emitting.
    let firstBatchAt: bigint | undefined;
    const run = await runTyping(p.ctx, {
      area: '000000',
      asOf: '2025-08-15',
      pool,
      onBatch: () => {
        firstBatchAt ??= process.hrtime.bigint();
      },
    });
    const L4seconds = Number(process.hrtime.bigint() - t4) / 1e9;
    const L4memory = l4memory();
    await pool.close();
    await p.close();
    log('the run again, in a process of its own…');
    const deployed = await runProcess(
      {
        KAFKA_BROKERS: infra.KAFKA_BROKERS,
        SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
        DATABASE_URL: infra.DATABASE_URL,
        GETIHU_TOPIC_PREFIX: `${prefix}.l4`,
        GETIHU_DB_SCHEMA: prefix,
        GETIHU_PARTITIONS: String(partitions),
      },
      threads,
    );
    if (deployed.decisions !== businesses) throw new Error(`the run process decided ${deployed.decisions} of ${businesses}`);
    await deleteTopicsWithPrefix(brokers, `${prefix}.l4.`);
    if (rejected > 0 || run.decisions !== businesses)
      throw new Error(`L4 lost data: ${rejected} rejected, ${run.decisions} decisions of ${businesses}`);
    const L4 = {
      seconds: L4seconds,
      messages,
      messagesPerSecond: Math.round(messages / L4seconds),
      businessesPerSecond: Math.round(businesses / L4seconds),
      ingestSeconds,
      runSeconds: L4seconds - ingestSeconds,
      runToFirstBatchSeconds: firstBatchAt === undefined ? null : Number(firstBatchAt - t4) / 1e9 - ingestSeconds,
      decisions: run.decisions,
      // The events' own size (framed Avro values), the issue's ≤ 512 and ≤ 256 bytes on average.
      decisionEventBytes: Math.round(run.eventBytes.decisions / Math.max(1, run.decisions)),
      supportEventBytes: Math.round(run.eventBytes.support / Math.max(1, run.eventBytes.supportEvents)),
      threads,
      poolStartSeconds,
    };
    return {
      bench: 'pipeline',
      businesses,
      partitions,
      facts: messages,
      L1: { ...L1, businessesPerSecond: Math.round(businesses / L1.seconds), memory: L1memory },
      L2: { ...L2, businessesPerSecond: Math.round(businesses / L2.seconds), memory: L2memory },
      L4: { ...L4, memory: L4memory },
      // The run's own memory as deployed (the L4 lane's is the bench process's, connectors included).
      runProcess: deployed,
      ratioL4L1: Number((L1.seconds / L4seconds).toFixed(3)),
      goal: 0.75,
      // Resetting the peak for each lane resets the process's own count too: the run's peak is the
      // highest of its parts (generating and encoding the input, then each lane).
      peakRssMiB:
        L4memory === null
          ? Math.round(process.resourceUsage().maxRSS / 1024)
          : Math.max(...[Smemory, L1memory, L2memory, L4memory].map((m) => m?.peakRssMiB ?? 0)),
      inputMemory: Smemory,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(infra.DATABASE_URL, prefix).catch(() => undefined);
  }
}
