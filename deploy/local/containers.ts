/**
 * The tests' Kafka, registry and PostgreSQL as containers, through testcontainers, where a
 * container engine answers: the same images and settings as `deploy/compose.yaml` (Apache Kafka
 * 3.9 in KRaft mode, Apicurio Registry 3 with global compatibility BACKWARD, PostgreSQL 15), one
 * broker, each counted as up only when it answers a real request (as `infra.ts` does).
 *
 * Which infrastructure the tests get (`infraChoice`): GETIHU_INFRA=local (this machine's
 * processes, `infra.ts`), GETIHU_INFRA=containers (an error when no engine answers), or, unset,
 * containers where an engine answers and the local processes elsewhere. The containers live as
 * long as the test run; testcontainers' reaper removes them if the run dies.
 */
import { createServer } from 'node:net';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import { databaseAnswers, type InfraEnv, kafkaAnswers, registryAnswers, requireBackwardCompatibility, waitFor } from './infra.js';

/** The images, as `deploy/compose.yaml` names them. */
export const IMAGES = {
  kafka: 'apache/kafka:3.9.1',
  registry: 'apicurio/apicurio-registry:3.0.9',
  postgres: 'postgres:15',
} as const;

/** Where to look when a container does not answer. */
const CONTAINER_LOGS = 'the container logs (docker logs)';

/** Where the tests' services come from. */
export type InfraKind = 'local' | 'containers';

/** What GETIHU_INFRA asks for, given whether a container engine answers. */
export function infraChoice(asked: string | undefined, engine: boolean): InfraKind {
  if (asked === undefined || asked === '') return engine ? 'containers' : 'local';
  if (asked === 'local') return 'local';
  if (asked === 'containers') {
    if (!engine)
      throw new Error('GETIHU_INFRA=containers, but no container engine answers (testcontainers found no Docker or Podman)');
    return 'containers';
  }
  throw new Error(`GETIHU_INFRA: 'local' or 'containers' (or unset: containers where an engine answers), got '${asked}'`);
}

/** Whether a container engine answers (testcontainers' own discovery: DOCKER_HOST, the socket, …). */
export async function containerEngineAnswers(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** The services started as containers, and how to stop them. */
export interface ContainerInfra {
  readonly env: InfraEnv;
  /** The broker's container (for the broker-restart test). */
  readonly kafkaContainerId: string;
  stop(): Promise<void>;
}

/** A port free on this machine now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * One KRaft broker. Clients reach it on a host port fixed before it starts, because the broker
 * must advertise the address clients use, and that address has to survive a restart (the
 * broker-restart test). Brokers talk to each other (and the controller) inside the container.
 */
async function startKafka(host: string): Promise<StartedTestContainer> {
  const port = await freePort();
  return new GenericContainer(IMAGES.kafka)
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      CLUSTER_ID: '4L6g3nShT-eMCtK--X86sw',
      KAFKA_NODE_ID: '1',
      // Inside the container's own files, which a restart keeps.
      KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093,BROKER://:9094',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port},BROKER://localhost:9094`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,BROKER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      // One broker: internal topics cannot be replicated.
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();
}

/** Starts the three services as containers (in parallel) and waits until each answers. */
export async function containersUp(): Promise<ContainerInfra> {
  const { info } = await getContainerRuntimeClient();
  const host = info.containerRuntime.host;
  const started = await Promise.allSettled([
    startKafka(host),
    new GenericContainer(IMAGES.registry)
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .withStartupTimeout(180_000)
      .start(),
    new GenericContainer(IMAGES.postgres)
      .withExposedPorts(5432)
      .withEnvironment({ POSTGRES_USER: 'getihu', POSTGRES_DB: 'getihu', POSTGRES_HOST_AUTH_METHOD: 'trust' })
      // The image's entrypoint starts the server twice (initialisation, then for real).
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(180_000)
      .start(),
  ]);
  const containers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(containers.map((c) => c.stop().catch(() => undefined)));
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  const [kafka, registry, postgres] = containers as [StartedTestContainer, StartedTestContainer, StartedTestContainer];
  const env: InfraEnv = {
    KAFKA_BROKERS: `${host}:${kafka.getMappedPort(9092)}`,
    SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    DATABASE_URL: `postgres://getihu@${postgres.getHost()}:${postgres.getMappedPort(5432)}/getihu`,
  };
  try {
    await waitFor('Kafka (container)', () => kafkaAnswers(env.KAFKA_BROKERS), 120, CONTAINER_LOGS);
    await waitFor('Apicurio Registry (container)', () => registryAnswers(env.SCHEMA_REGISTRY_URL), 120, CONTAINER_LOGS);
    await waitFor('PostgreSQL (container)', () => databaseAnswers(env.DATABASE_URL), 120, CONTAINER_LOGS);
    await requireBackwardCompatibility(env.SCHEMA_REGISTRY_URL);
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, kafkaContainerId: kafka.getId(), stop };
}

/** Restarts the broker's container (its log stays: a restart keeps the container's files) and waits until it answers. */
export async function restartKafkaContainer(id: string, brokers: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  await client.container.restart(client.container.getById(id), { timeout: 30 });
  await waitFor('Kafka (container) after its restart', () => kafkaAnswers(brokers), 120, CONTAINER_LOGS);
}
