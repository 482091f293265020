/**
 * A benchmark's own corner of the local services, and its removal when it ends: the pipeline it
 * opens under a topic prefix and store schema of its own, then its topics (a million businesses
 * leave gigabytes in the broker) and its schema. Left in place, they slow every later run on the
 * same services (the broker's partitions, the database's vacuum and checkpoints), and one bench's
 * figures would depend on how many ran before it.
 */
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import { openPipeline, type Pipeline } from '../app/index.js';
import type { infraUp } from '../deploy/local/infra.js';

/** Opens the pipeline on the local Kafka, registry and PostgreSQL under `prefix`, its store in schema `schema`. */
export function openBenchPipeline(
  infra: Awaited<ReturnType<typeof infraUp>>,
  prefix: string,
  schema: string,
  partitions: number,
): Promise<Pipeline> {
  return openPipeline({
    mode: 'kafka',
    brokers: infra.KAFKA_BROKERS.split(','),
    registryUrl: infra.SCHEMA_REGISTRY_URL,
    databaseUrl: infra.DATABASE_URL,
    prefix,
    dbSchema: schema,
    partitions,
  });
}

/** Deletes the topics whose names begin with `prefix`. */
export async function deleteTopicsWithPrefix(brokers: readonly string[], prefix: string): Promise<void> {
  const admin = new Admin({ clientId: 'bench', bootstrapBrokers: [...brokers] });
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.close();
  }
}

/** Drops a bench's schema (its serving store) from the database. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(schema)) throw new Error(`not a bench schema name: '${schema}'`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
