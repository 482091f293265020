/**
 * Vitest global setup: the real Kafka, registry and PostgreSQL for the integration tests,
 * started (or found running) once per test run. Where KAFKA_BROKERS, SCHEMA_REGISTRY_URL and
 * DATABASE_URL are already set (a cluster, or testcontainers on a Docker host), those are used.
 */
import type { TestProject } from 'vitest/node';
import { infraUp } from './infra.js';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; DATABASE_URL: string };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const given = process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.DATABASE_URL;
  const env = given
    ? {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
        SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL as string,
        DATABASE_URL: process.env.DATABASE_URL as string,
      }
    : await infraUp();
  project.provide('infra', env);
}
