/**
 * The composition root: where getihu is assembled. `openPipeline` builds config → bus → codec →
 * store → rule book for either run mode (embedded: in-process bus, in-process registry, PGlite;
 * distributed: Kafka, the Confluent-compatible registry, PostgreSQL); the commands (`commands/`)
 * and the two entry points (`cli.ts`, `main.ts`) start the parts from it. Nothing below app/ imports
 * it (the layer rule in .dependency-cruiser.cjs keeps the layers; docs/architecture.md draws them).
 */
import { FEEDS, type IngestSummary, ingestRecords, type RawRecord, splitBusiness } from '../connectors/index.js';
import { type Bus, EmbeddedBus, KafkaBus } from '../lib/bus/index.js';
import { type Config, checksumAllowSet, loadConfig } from '../lib/config.js';
import { GetihuError } from '../lib/errors.js';
import { Store } from '../lib/store/index.js';
import { RuleBook } from '../matchers/index.js';
import { ensurePipelineTopics, type PipelineContext } from '../pipeline/index.js';
import { Codec, LocalSchemaStore, RemoteSchemaStore } from '../schemas/index.js';

/** Where the pipeline runs. */
export type PipelineConfig =
  | { readonly mode: 'embedded'; readonly partitions?: number; readonly pgliteDir?: string }
  | {
      readonly mode: 'kafka';
      readonly brokers: readonly string[];
      readonly registryUrl: string;
      readonly databaseUrl: string;
      readonly prefix?: string;
      /** PostgreSQL schema for the store (tests isolate themselves with one). */
      readonly dbSchema?: string;
      readonly partitions?: number;
    };

/** An open pipeline. */
export interface Pipeline {
  readonly ctx: PipelineContext;
  readonly store: Store;
  close(): Promise<void>;
}

/** An open pipeline without the store (a command that only reads and writes topics). */
export interface BusOnlyPipeline {
  readonly ctx: PipelineContext;
  close(): Promise<void>;
}

/** The store schema of a topic prefix: `getihu_<prefix>` in plain identifier characters; none for ''. */
export function schemaOfPrefix(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  return `getihu_${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/** The distributed configuration from KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL, else embedded. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const brokers = env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    // The embedded store in a folder (kept between runs) when GETIHU_DATA_DIR names one; else in memory.
    const dir = env.GETIHU_DATA_DIR;
    return dir === undefined || dir === '' ? { mode: 'embedded' } : { mode: 'embedded', pgliteDir: dir };
  }
  const registryUrl = env.SCHEMA_REGISTRY_URL;
  const databaseUrl = env.DATABASE_URL;
  if (registryUrl === undefined || databaseUrl === undefined) {
    throw new GetihuError('INVALID_CONFIG', 'KAFKA_BROKERS is set: SCHEMA_REGISTRY_URL and DATABASE_URL must be set too');
  }
  const prefix = env.GETIHU_TOPIC_PREFIX ?? '';
  // A deployment's store schema derives from its topic prefix unless named: two deployments on one
  // database never share tables by accident.
  const dbSchema = env.GETIHU_DB_SCHEMA || schemaOfPrefix(prefix);
  return {
    mode: 'kafka',
    brokers: brokers.split(','),
    registryUrl,
    databaseUrl,
    prefix,
    ...(dbSchema === undefined || dbSchema === '' ? {} : { dbSchema }),
    ...(env.GETIHU_PARTITIONS === undefined ? {} : { partitions: Number(env.GETIHU_PARTITIONS) }),
  };
}

/** Opens the bus, the registry-backed codec and the store (unless `store: false`), and creates the topics. */
export async function openPipeline(config: PipelineConfig, o?: { settings?: Config }): Promise<Pipeline>;
export async function openPipeline(config: PipelineConfig, o: { store: false; settings?: Config }): Promise<BusOnlyPipeline>;
/**
 * Opens the pipeline. `settings`: the service's configuration, read at the entry (default: the one
 * GETIHU_CONFIG names, or the defaults); its rule book is loaded once here for every part.
 */
export async function openPipeline(
  config: PipelineConfig,
  o?: { store?: false; settings?: Config },
): Promise<Pipeline | BusOnlyPipeline> {
  const settings = o?.settings ?? loadConfig();
  const ruleBook = RuleBook.load(settings.rulesDir);
  let bus: Bus;
  let codec: Codec;
  let store: Store | undefined;
  const prefix = config.mode === 'kafka' ? (config.prefix ?? '') : '';
  const withStore = o?.store !== false;
  if (config.mode === 'embedded') {
    bus = new EmbeddedBus();
    codec = await Codec.create(new LocalSchemaStore(), prefix);
    if (withStore) store = await Store.pglite(config.pgliteDir);
  } else {
    bus = await KafkaBus.connect({ brokers: config.brokers });
    try {
      codec = await Codec.create(new RemoteSchemaStore(config.registryUrl), prefix);
      if (withStore) store = await Store.postgres(config.databaseUrl, config.dbSchema);
    } catch (err) {
      // Nothing half-open is left behind to keep a failed command alive.
      await bus.close();
      throw err;
    }
  }
  const ctx: PipelineContext = {
    bus,
    codec,
    prefix,
    partitions: config.partitions ?? 6,
    config: settings,
    ruleBook,
    ...(config.mode === 'kafka' ? { remote: { brokers: config.brokers, registryUrl: config.registryUrl } } : {}),
  };
  await ensurePipelineTopics(ctx);
  const close = async () => {
    await bus.close();
    await store?.close();
  };
  return store === undefined ? { ctx, close } : { ctx, store, close };
}

/**
 * Sends business snapshots through the real connectors, feed by feed, as the agencies would
 * export them (`lastYear`: the year of yearly amounts; `reportedAt`: when the agencies knew
 * them, as an export says). Returns one receipt per feed.
 */
export async function ingestBusinesses(
  ctx: PipelineContext,
  businesses: Iterable<Record<string, unknown>>,
  lastYear: number,
  source = 'sample',
  reportedAt?: string,
): Promise<IngestSummary[]> {
  const rows = new Map<string, RawRecord[]>();
  for (const b of businesses) {
    for (const r of splitBusiness(b, lastYear)) {
      let list = rows.get(r.feed);
      if (list === undefined) {
        list = [];
        rows.set(r.feed, list);
      }
      list.push({ line: list.length + 1, original: JSON.stringify(r.row), fields: r.row });
    }
  }
  const receipts: IngestSummary[] = [];
  for (const [key, records] of rows) {
    const feed = FEEDS.get(key);
    if (feed === undefined) throw new GetihuError('INTERNAL', `no feed ${key}`);
    receipts.push(
      await ingestRecords(records, {
        bus: ctx.bus,
        codec: ctx.codec,
        allowCodes: checksumAllowSet(ctx.config),
        feed,
        source: `${source}/${feed.feed}.jsonl`,
        topicPrefix: ctx.prefix,
        ...(reportedAt === undefined ? {} : { reportedAt }),
      }),
    );
  }
  return receipts;
}
