/**
 * Vitest global setup: the real Kafka, registry and PostgreSQL for the integration tests, started
 * (or found running) once per test run. Where KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL
 * are already set (a cluster), those are used. Otherwise GETIHU_INFRA decides (containers.ts,
 * `infraChoice`): containers through testcontainers where a container engine answers (stopped at
 * the end of the run), else this machine's own processes (infra.ts, left running).
 */
import type { TestProject } from 'vitest/node';
import { installChromium } from './browser.js';
import { containerEngineAnswers, containersUp, infraChoice } from './containers.js';
import { type InfraEnv, infraEnv, infraUp } from './infra.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absent under GETIHU_INFRA=none (`npm test`). */
    infra: InfraEnv;
    /** Where the broker runs, for the broker-restart test: 'local', a container's id, or 'given' (not ours to restart). */
    kafkaRuns: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // `npm test`: no services at all; the tests that need them skip (see `withServices`), and the
  // page tests run only where a Chromium is already installed.
  if (process.env.GETIHU_INFRA === 'none') return undefined;
  // The test command: the browser the page tests drive, installed when missing.
  installChromium((line) => console.log(line));
  if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.DATABASE_URL) {
    project.provide('infra', {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL,
      DATABASE_URL: process.env.DATABASE_URL,
    });
    // The local broker given by address (`eval "$(npm run -s infra:up | grep ^export)"`) is still ours to restart.
    project.provide('kafkaRuns', process.env.KAFKA_BROKERS === infraEnv().KAFKA_BROKERS ? 'local' : 'given');
    return undefined;
  }
  if (infraChoice(process.env.GETIHU_INFRA, await containerEngineAnswers()) === 'local') {
    project.provide('infra', await infraUp());
    project.provide('kafkaRuns', 'local');
    return undefined;
  }
  const started = await containersUp();
  project.provide('infra', started.env);
  project.provide('kafkaRuns', started.kafkaContainerId);
  return started.stop;
}
