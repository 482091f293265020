/**
 * `npm run infra:up` / `npm run infra:down` / `npm run -s infra -- status|env`:
 * Apache Kafka 3.9 (KRaft, from Maven Central jars), Apicurio Registry 3 (Confluent-compatible
 * API, global compatibility BACKWARD) and PostgreSQL (Debian) on this machine, no Docker.
 *
 * Idempotent: a service already answering is left alone, and one still starting is waited for,
 * never started twice (see `startOnce`). Downloads land in ~/.m2 once; data
 * lives under `.data/infra` (ignored by git). Each service counts as up only when it answers
 * a real request: a metadata call, an HTTP read of the registry, a SQL query.
 * Ports: GETIHU_KAFKA_PORT (19092; controller +1), GETIHU_REGISTRY_PORT (18081), GETIHU_PG_PORT (15432).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import { installDebianPackages } from './debian.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = join(ROOT, '.data', 'infra');
const KAFKA_VERSION = '3.9.1';
const APICURIO_VERSION = '3.0.9';

/** Where the services listen. */
export interface InfraEnv {
  readonly KAFKA_BROKERS: string;
  readonly SCHEMA_REGISTRY_URL: string;
  readonly DATABASE_URL: string;
}

function port(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 65535) throw new Error(`${name}: a port number from 1024 to 65535, got '${v}'`);
  return n;
}

const PORTS = {
  kafka: port('GETIHU_KAFKA_PORT', 19092),
  registry: port('GETIHU_REGISTRY_PORT', 18081),
  pg: port('GETIHU_PG_PORT', 15432),
};

/** The addresses of the local services. */
export function infraEnv(): InfraEnv {
  return {
    KAFKA_BROKERS: `127.0.0.1:${PORTS.kafka}`,
    SCHEMA_REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}/apis/ccompat/v7`,
    DATABASE_URL: `postgres://getihu@127.0.0.1:${PORTS.pg}/getihu`,
  };
}

const log = (s: string): void => {
  process.stderr.write(`infra: ${s}\n`);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every half second until it answers true; throws after `seconds`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  seconds: number,
  logs = `the logs under ${DATA}`,
): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`${what} did not answer within ${seconds} s (see ${logs})`);
}

function pidAlive(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/**
 * Starts a service once, whatever else is starting it: under an exclusive lock file per service
 * (a second `infra:up` waits for the first), and never while a process of ours for it is still
 * alive (a slow service is waited for, not started twice, so its pid file always names the one
 * that runs). `answers` says whether it is up; `start` starts it and waits for it.
 */
async function startOnce(
  name: string,
  answers: () => Promise<boolean>,
  start: () => Promise<void>,
  seconds = 180,
): Promise<boolean> {
  const up = () => answers().catch(() => false);
  if (await up()) return false;
  const lock = join(DATA, `${name}.starting`);
  const until = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      // Another infra:up holds the lock: wait for it, unless its process is gone.
      if (pidAlive(lock) === null) rmSync(lock, { force: true });
      else if (Date.now() > until) throw new Error(`${name}: another infra:up has been starting it for ${seconds} s`);
      await sleep(500);
      if (await up()) return false;
    }
  }
  try {
    if (await up()) return false;
    if (pidAlive(join(DATA, `${name}.pid`)) !== null) {
      log(`${name} is starting (pid ${readFileSync(join(DATA, `${name}.pid`), 'utf8').trim()}); waiting for it…`);
      await waitFor(name, answers, seconds);
      return false;
    }
    await start();
    return true;
  } finally {
    rmSync(lock, { force: true });
  }
}

function startDetached(name: string, cmd: string, args: string[], cwd: string): void {
  const out = openSync(join(DATA, `${name}.out.log`), 'a');
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', out, out] });
  child.unref();
  closeSync(out);
  writeFileSync(join(DATA, `${name}.pid`), String(child.pid));
}

// ---------------------------------------------------------------- Kafka

/** Whether the broker at `brokers` answers a metadata call with a controller. */
export async function kafkaAnswers(brokers = infraEnv().KAFKA_BROKERS): Promise<boolean> {
  const admin = new Admin({ clientId: 'getihu-infra', bootstrapBrokers: brokers.split(','), retries: 0, connectTimeout: 1000 });
  try {
    const cluster = await admin.metadata({ topics: [] });
    return cluster.brokers.size > 0 && cluster.controllerId >= 0;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

async function kafkaUp(): Promise<void> {
  if (!(await startOnce('kafka', () => kafkaAnswers(), startKafkaProcess)))
    log(`Kafka already answers on ${infraEnv().KAFKA_BROKERS}`);
}

/**
 * A KRaft cluster id: 16 random bytes in base64url, as `kafka-storage random-uuid` prints. An id
 * starting with '-' is drawn again, as Kafka's own Uuid.randomUuid does, because the storage
 * tool's argument parser reads `-t -abc…` as an option and fails the format.
 */
export function kraftClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function startKafkaProcess(): Promise<void> {
  const dir = join(DATA, 'kafka');
  const libs = join(dir, 'libs');
  if (!existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    log(`fetching Kafka ${KAFKA_VERSION} from Maven Central (once; cached in ~/.m2)…`);
    mkdirSync(libs, { recursive: true });
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        join(ROOT, 'deploy/local/kafka-pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libs}`,
        '-DincludeScope=runtime',
      ],
      { stdio: 'inherit' },
    );
  }
  const controller = PORTS.kafka + 1;
  writeFileSync(
    join(dir, 'server.properties'),
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${PORTS.kafka},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${PORTS.kafka}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=3',
      'auto.create.topics.enable=false',
      // One broker: internal topics cannot be replicated.
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'log.cleaner.enable=true',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'log4j.properties'),
    [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${join(dir, 'server.log')}`,
      'log4j.appender.file.MaxFileSize=20MB',
      'log4j.appender.file.MaxBackupIndex=2',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.org.apache.kafka.clients=WARN',
      '',
    ].join('\n'),
  );
  const cp = `${libs}/*`;
  if (!existsSync(join(dir, 'data', 'meta.properties'))) {
    log('formatting Kafka storage (KRaft)…');
    const format = spawnSync(
      'java',
      [
        '-cp',
        cp,
        `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        kraftClusterId(),
        '-c',
        join(dir, 'server.properties'),
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0)
      throw new Error(
        `Kafka storage format failed (${format.error?.message ?? `exit ${format.status}`}): ${format.stderr || format.stdout}`,
      );
  }
  log('starting Kafka…');
  startDetached(
    'kafka',
    'java',
    [
      '-Xmx512m',
      '-Xms256m',
      '-cp',
      cp,
      `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
      'kafka.Kafka',
      join(dir, 'server.properties'),
    ],
    dir,
  );
  await waitFor('Kafka', kafkaAnswers, 120);
  log(`Kafka answers on ${infraEnv().KAFKA_BROKERS}`);
}

// ---------------------------------------------------------------- Apicurio Registry

/** Whether the registry at `url` (its Confluent-compatible API) answers a read. */
export async function registryAnswers(url = infraEnv().SCHEMA_REGISTRY_URL): Promise<boolean> {
  const r = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
  return r.ok;
}

/** Sets the registry's global compatibility to BACKWARD. */
export async function requireBackwardCompatibility(url: string): Promise<void> {
  // Compatibility is off until set globally: every subject must stay readable by its consumers.
  const r = await fetch(`${url}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
  });
  if (r.ok) return;
  const why = `HTTP ${r.status} ${await r.text()}`;
  // A registry whose rule is already set (an earlier start on the same database) answers 409 to
  // setting it again: what counts is that it is BACKWARD.
  const now = await fetch(`${url}/config`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  const level = now?.ok ? ((await now.json()) as { compatibilityLevel?: string }).compatibilityLevel : undefined;
  if (level !== 'BACKWARD') throw new Error(`setting global compatibility BACKWARD failed: ${why}`);
}

/**
 * How the local registry keeps its schemas: in PostgreSQL (schema `registry` of the local
 * database), as compose and k8s do, so a restart keeps every id (an in-memory registry would
 * give the same ids to other schemas, and every record written before would be unreadable).
 */
const REGISTRY_STORAGE = `sql:postgresql:${PORTS.pg}:registry`;

async function registryUp(): Promise<void> {
  const marker = join(DATA, 'apicurio.storage');
  // A registry of ours started before it kept its schemas in PostgreSQL is restarted on it.
  if (
    pidAlive(join(DATA, 'apicurio.pid')) !== null &&
    (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== REGISTRY_STORAGE)
  ) {
    log('restarting Apicurio Registry to keep its schemas in PostgreSQL…');
    await stopPid('apicurio');
  }
  const started = await startOnce(
    'apicurio',
    () => registryAnswers(),
    async () => {
      const dir = join(DATA, 'apicurio');
      const runner = join(dir, `apicurio-registry-app-${APICURIO_VERSION}-runner.jar`);
      if (!existsSync(runner)) {
        const tgz = join(
          homedir(),
          '.m2/repository/io/apicurio/apicurio-registry-app',
          APICURIO_VERSION,
          `apicurio-registry-app-${APICURIO_VERSION}-all.tar.gz`,
        );
        if (!existsSync(tgz)) {
          log(`fetching Apicurio Registry ${APICURIO_VERSION} from Maven Central (once)…`);
          execFileSync(
            'mvn',
            [
              '-q',
              '-B',
              'dependency:get',
              `-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`,
              '-Dtransitive=false',
            ],
            { stdio: 'inherit' },
          );
        }
        mkdirSync(dir, { recursive: true });
        execFileSync('tar', ['xzf', tgz, '-C', dir]);
      }
      await createRegistrySchema();
      log('starting Apicurio Registry (schemas kept in PostgreSQL)…');
      startDetached(
        'apicurio',
        'java',
        [
          '-Xmx512m',
          `-Dquarkus.http.port=${PORTS.registry}`,
          '-Dquarkus.http.host=127.0.0.1',
          '-Dquarkus.log.level=WARN',
          '-Dapicurio.storage.kind=sql',
          '-Dapicurio.storage.sql.kind=postgresql',
          `-Dapicurio.datasource.url=jdbc:postgresql://127.0.0.1:${PORTS.pg}/getihu?currentSchema=registry`,
          '-Dapicurio.datasource.username=getihu',
          '-Dapicurio.datasource.password=trust',
          '-jar',
          runner,
        ],
        dir,
      );
      writeFileSync(marker, `${REGISTRY_STORAGE}\n`);
      await waitFor('Apicurio Registry', registryAnswers, 180);
    },
  );
  if (!started) log(`Apicurio Registry already answers on ${infraEnv().SCHEMA_REGISTRY_URL}`);
  await requireBackwardCompatibility(infraEnv().SCHEMA_REGISTRY_URL);
  log(`Apicurio Registry answers on ${infraEnv().SCHEMA_REGISTRY_URL} (global compatibility BACKWARD)`);
}

/** The database schema the registry keeps its tables in. */
async function createRegistrySchema(): Promise<void> {
  const c = new pg.Client({ connectionString: infraEnv().DATABASE_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    await c.query('create schema if not exists registry');
  } finally {
    await c.end();
  }
}

/** Stops the registry only. */
export async function stopRegistry(): Promise<void> {
  await stopPid('apicurio');
}

/** Stops and starts the registry only (for the registry-restart test). */
export async function restartRegistry(): Promise<void> {
  await stopPid('apicurio');
  await registryUp();
}

// ---------------------------------------------------------------- PostgreSQL

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const find = () =>
    existsSync(base)
      ? readdirSync(base)
          .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => join(base, v, 'bin'))[0]
      : undefined;
  let bin = find();
  if (bin === undefined) {
    if (userInfo().uid !== 0) throw new Error('PostgreSQL is not installed: run `sudo apt-get install -y postgresql` once');
    log("installing PostgreSQL from Debian's packages…");
    installDebianPackages(['postgresql']);
    bin = find();
    if (bin === undefined) throw new Error('PostgreSQL was installed but no pg_ctl was found under /usr/lib/postgresql');
  }
  return bin;
}

/** PostgreSQL refuses to run as root: as root, run its tools as the postgres user. */
function asPgUser(cmd: string, args: string[]): string[] {
  return userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--', cmd, ...args] : [cmd, ...args];
}

async function pgAnswers(db = 'getihu'): Promise<boolean> {
  return databaseAnswers(`postgres://getihu@127.0.0.1:${PORTS.pg}/${db}`);
}

/** Whether the database at `url` answers a query. */
export async function databaseAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgUp(): Promise<void> {
  if (!(await startOnce('postgres', () => pgAnswers(), startPostgresProcess)))
    log(`PostgreSQL already answers on ${infraEnv().DATABASE_URL}`);
}

async function startPostgresProcess(): Promise<void> {
  const bin = pgBin();
  const dir = join(DATA, 'pg');
  const data = join(dir, 'data');
  const root = userInfo().uid === 0;
  if (!existsSync(join(data, 'PG_VERSION'))) {
    mkdirSync(data, { recursive: true });
    if (root) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
      chownSync(data, uid, gid);
    }
    log('initialising a PostgreSQL cluster…');
    const [c, ...a] = asPgUser(join(bin, 'initdb'), ['-D', data, '-U', 'getihu', '--auth=trust', '-E', 'UTF8', '--no-locale']);
    execFileSync(c as string, a, { stdio: 'ignore' });
  }
  log('starting PostgreSQL…');
  const opts = `-p ${PORTS.pg} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${data} -c fsync=on`;
  const [c, ...a] = asPgUser(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    opts,
    '-l',
    join(data, 'server.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  const r = spawnSync(c as string, a, { stdio: 'pipe', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr || r.stdout}`);
  await waitFor('PostgreSQL', () => pgAnswers('postgres'), 60);
  const admin = new pg.Client({ host: '127.0.0.1', port: PORTS.pg, user: 'getihu', database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = 'getihu'");
    if (exists.rowCount === 0) await admin.query('create database getihu');
  } finally {
    await admin.end();
  }
  await waitFor('PostgreSQL', () => pgAnswers(), 30);
  log(`PostgreSQL answers on ${infraEnv().DATABASE_URL}`);
}

function pgDown(): void {
  const data = join(DATA, 'pg', 'data');
  if (!existsSync(join(data, 'postmaster.pid'))) return;
  const bin = pgBin();
  const [c, ...a] = asPgUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  spawnSync(c as string, a, { stdio: 'ignore' });
  log('PostgreSQL stopped');
}

// ---------------------------------------------------------------- commands

/** Starts (or finds) all three services and returns their addresses. */
export async function infraUp(): Promise<InfraEnv> {
  mkdirSync(DATA, { recursive: true });
  // The registry keeps its schemas in PostgreSQL: it starts once the database answers.
  await Promise.all([kafkaUp(), pgUp().then(registryUp)]);
  const env = infraEnv();
  writeFileSync(join(DATA, 'env.json'), `${JSON.stringify(env, null, 2)}\n`);
  return env;
}

async function stopPid(name: string): Promise<void> {
  const file = join(DATA, `${name}.pid`);
  const pid = pidAlive(file);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 60 && pidAlive(file) !== null; i++) await sleep(500);
    if (pidAlive(file) !== null) process.kill(pid, 'SIGKILL');
    log(`${name} stopped`);
  }
  rmSync(file, { force: true });
}

/** Stops the services this script started. */
export async function infraDown(): Promise<void> {
  await stopPid('apicurio');
  await stopPid('kafka');
  pgDown();
}

/** Stops and starts the broker only (for broker-restart tests). */
export async function restartKafka(): Promise<void> {
  await stopPid('kafka');
  await kafkaUp();
}

/** Stops the broker only. */
export async function stopKafka(): Promise<void> {
  await stopPid('kafka');
}

/** Starts the broker only. */
export async function startKafka(): Promise<void> {
  await kafkaUp();
}

/** Stops PostgreSQL only (for the store-outage test). */
export function stopPostgres(): void {
  pgDown();
}

/** Starts PostgreSQL only. */
export async function startPostgres(): Promise<void> {
  await pgUp();
}

async function main(argv: string[]): Promise<void> {
  const cmd = argv[0] ?? 'up';
  if (cmd === 'up') {
    const env = await infraUp();
    for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${v}\n`);
  } else if (cmd === 'down') {
    await infraDown();
  } else if (cmd === 'env') {
    for (const [k, v] of Object.entries(infraEnv())) process.stdout.write(`export ${k}=${v}\n`);
  } else if (cmd === 'status') {
    const r = {
      kafka: await kafkaAnswers().catch(() => false),
      registry: await registryAnswers().catch(() => false),
      postgres: await pgAnswers().catch(() => false),
    };
    process.stdout.write(`${JSON.stringify({ ...infraEnv(), up: r })}\n`);
    if (!Object.values(r).every(Boolean)) process.exitCode = 1;
  } else {
    process.stderr.write('usage: infra up|down|status|env\n');
    process.exitCode = 2;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`infra: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
