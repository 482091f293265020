/**
 * Avro encoding of every topic's values against a schema registry: the Confluent-compatible
 * API of Apicurio (through @kafkajs/confluent-schema-registry) in distributed mode, or an
 * in-process registry in embedded mode. Encoding is local (avsc) once a subject's id is known;
 * decoding resolves the writer's schema by id and reads with the current schema, so consumers
 * keep working across BACKWARD-compatible changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { GetihuError } from '../lib/errors.js';
import { retry } from '../lib/retry.js';
import { ALL_TOPICS, prefixed, type TopicSpec } from '../lib/topics.js';
import { frame, unframe } from './wireFormat.js';

const DIR = dirname(fileURLToPath(import.meta.url));

/** The newest schema text of a topic (`schemas/<topic>/v<N>.avsc`, highest N). */
export function latestSchemaText(topic: string): string {
  const versions = readdirSync(join(DIR, topic))
    .map((f) => /^v(\d+)\.avsc$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  if (versions.length === 0) throw new GetihuError('INVALID_CONFIG', `no schema for topic ${topic} under schemas/`);
  return readFileSync(join(DIR, topic, `v${versions[0]}.avsc`), 'utf8');
}

/** Where schemas are registered and looked up by id. */
export interface SchemaStore {
  register(subject: string, schema: string): Promise<number>;
  schemaById(id: number): Promise<string>;
}

/** An in-process registry for the embedded mode: ids in registration order, one per distinct schema. */
export class LocalSchemaStore implements SchemaStore {
  readonly #ids = new Map<string, number>();
  readonly #byId = new Map<number, string>();

  async register(_subject: string, schema: string): Promise<number> {
    const canonical = JSON.stringify(JSON.parse(schema));
    let id = this.#ids.get(canonical);
    if (id === undefined) {
      id = this.#ids.size + 1;
      this.#ids.set(canonical, id);
      this.#byId.set(id, canonical);
    }
    return id;
  }

  async schemaById(id: number): Promise<string> {
    const s = this.#byId.get(id);
    if (s === undefined) throw new GetihuError('INVALID_INPUT', `unknown schema id ${id}`);
    return s;
  }
}

/** The Confluent-compatible registry API (Apicurio's `/apis/ccompat/v7`). */
export class RemoteSchemaStore implements SchemaStore {
  #registry: Promise<{ client: SchemaRegistry; avro: SchemaType.AVRO }> | undefined;
  readonly #url: string;

  constructor(url: string) {
    this.#url = url.replace(/\/$/, '');
  }

  /**
   * The registry client, loaded on the first registration. A process or thread that only reads
   * with ids it was given (a run's snapshot shares, the check threads) never loads it: the client
   * brings JSON Schema and Protobuf support with it, and compiling those took about a quarter of a
   * second of each thread's start.
   */
  #client(): Promise<{ client: SchemaRegistry; avro: SchemaType.AVRO }> {
    this.#registry ??= import('@kafkajs/confluent-schema-registry').then(({ SchemaRegistry, SchemaType }) => ({
      client: new SchemaRegistry({ host: this.#url }),
      avro: SchemaType.AVRO,
    }));
    return this.#registry;
  }

  /**
   * Registers a schema under a subject, idempotently: the same schema gets the same id. Processes
   * that start at once on a new prefix race to create the subject (the registry may then refuse
   * one with a conflict on the subject's own rules); such a refusal, and an unreachable registry,
   * is tried again a few times before it is reported. An incompatible schema is refused at once.
   */
  async register(subject: string, schema: string): Promise<number> {
    const incompatible = (err: unknown) => /incompatib/i.test((err as Error).message);
    try {
      const registry = await this.#client();
      const { id } = await retry(() => registry.client.register({ type: registry.avro, schema }, { subject }), {
        initialMs: 100,
        maxMs: 1600,
        attempts: 6,
        retriable: (err) => !incompatible(err),
      });
      return id;
    } catch (err) {
      throw new GetihuError(
        incompatible(err) ? 'INVALID_INPUT' : 'UNAVAILABLE',
        `registering ${subject}: ${(err as Error).message}`,
        { subject },
        { cause: err },
      );
    }
  }

  /** The writer schema of an id, as text (`GET /schemas/ids/{id}` of the Confluent API). */
  async schemaById(id: number): Promise<string> {
    const r = await fetch(`${this.#url}/schemas/ids/${id}`, { signal: AbortSignal.timeout(10_000) }).catch((err: unknown) => {
      throw new GetihuError('UNAVAILABLE', `schema registry: ${(err as Error).message}`, undefined, { cause: err });
    });
    if (r.status === 404) throw new GetihuError('INVALID_INPUT', `the registry knows no schema id ${id}`);
    if (!r.ok) throw new GetihuError('UNAVAILABLE', `schema registry answered HTTP ${r.status} for schema id ${id}`);
    const body = (await r.json()) as { schema?: string };
    if (typeof body.schema !== 'string') throw new GetihuError('UNAVAILABLE', `schema registry gave no schema text for id ${id}`);
    return body.schema;
  }
}

/** Encodes and decodes the values of every topic. */
export class Codec {
  readonly #store: SchemaStore;
  readonly #writers = new Map<string, { id: number; type: avro.Type }>();
  readonly #readers = new Map<string, avro.Type>();
  readonly #resolvers = new Map<string, ReturnType<avro.Type['createResolver']>>();
  readonly #writerTypes = new Map<number, avro.Type>();

  private constructor(store: SchemaStore) {
    this.#store = store;
  }

  /** Registers the newest schema of every topic (subject `<topic>-value`) and returns a ready codec. */
  static async create(store: SchemaStore, prefix = '', topics: readonly TopicSpec[] = ALL_TOPICS): Promise<Codec> {
    const codec = new Codec(store);
    for (const t of topics) {
      const text = latestSchemaText(t.name);
      const name = prefixed(prefix, t);
      codec.#add(name, text, await store.register(`${name}-value`, text));
    }
    return codec;
  }

  /**
   * A codec for another thread: the same topics and schema ids as one made by `create` (see
   * `registered`), without registering again.
   */
  static withIds(
    store: SchemaStore,
    prefix: string,
    ids: Readonly<Record<string, number>>,
    topics: readonly TopicSpec[] = ALL_TOPICS,
  ): Codec {
    const codec = new Codec(store);
    for (const t of topics) {
      const name = prefixed(prefix, t);
      const id = ids[name];
      if (id !== undefined) codec.#add(name, latestSchemaText(t.name), id);
    }
    return codec;
  }

  #add(topic: string, text: string, id: number): void {
    const type = avro.Type.forSchema(JSON.parse(text), { wrapUnions: false });
    this.#writers.set(topic, { id, type });
    this.#readers.set(topic, type);
    this.#writerTypes.set(id, type);
  }

  /** The schema id each topic's values are written with, by topic. */
  registered(): Record<string, number> {
    return Object.fromEntries([...this.#writers].map(([topic, w]) => [topic, w.id]));
  }

  /** The registry id of the schema a topic's values are written with. */
  schemaIdOf(topic: string): number {
    const w = this.#writers.get(topic);
    if (w === undefined) throw new GetihuError('INVALID_ARGUMENT', `no schema registered for topic ${topic}`);
    return w.id;
  }

  /** The Avro type a topic's values are written with. */
  typeOf(topic: string): avro.Type {
    const w = this.#writers.get(topic);
    if (w === undefined) throw new GetihuError('INVALID_ARGUMENT', `no schema registered for topic ${topic}`);
    return w.type;
  }

  /**
   * Encodes a value for a topic.
   * @throws GetihuError `INVALID_INPUT` naming the first invalid path.
   */
  encode(topic: string, value: unknown): Buffer {
    const w = this.#writers.get(topic);
    if (w === undefined) throw new GetihuError('INVALID_ARGUMENT', `no schema registered for topic ${topic}`);
    // Checked without a hook first: a hook is a function made on every call, for the rare value
    // that fails, which is then checked again to name its first invalid path.
    if (!w.type.isValid(value)) {
      const paths: string[] = [];
      w.type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
      throw new GetihuError('INVALID_INPUT', `value does not match the ${topic} schema at ${paths[0] ?? '(record)'}`, { topic });
    }
    return frame(w.id, w.type.toBuffer(value));
  }

  /** Decodes a framed value of a topic, resolving the writer's schema by id. */
  async decode(topic: string, message: Buffer): Promise<Record<string, unknown>> {
    const { schemaId, body } = unframe(message);
    const reader = this.#readers.get(topic);
    if (reader === undefined) throw new GetihuError('INVALID_ARGUMENT', `no schema registered for topic ${topic}`);
    let writer = this.#writerTypes.get(schemaId);
    if (writer === undefined) {
      writer = avro.Type.forSchema(JSON.parse(await this.#store.schemaById(schemaId)), { wrapUnions: false });
      this.#writerTypes.set(schemaId, writer);
    }
    if (writer === reader) return reader.fromBuffer(body) as Record<string, unknown>;
    const key = `${topic}#${schemaId}`;
    let resolver = this.#resolvers.get(key);
    if (resolver === undefined) {
      resolver = reader.createResolver(writer);
      this.#resolvers.set(key, resolver);
    }
    return reader.fromBuffer(body, resolver) as Record<string, unknown>;
  }

  /** Decodes synchronously when the writer's schema is already known (the common case). */
  decodeKnown(topic: string, message: Buffer): Record<string, unknown> | undefined {
    const { schemaId, body } = unframe(message);
    const w = this.#writers.get(topic);
    return w !== undefined && w.id === schemaId ? (w.type.fromBuffer(body) as Record<string, unknown>) : undefined;
  }
}
