/** The run mode from the environment: a deployment's store schema derives from its topic prefix. */
import { describe, expect, it } from 'vitest';
import { configFromEnv, schemaOfPrefix } from './pipeline.js';

const kafka = { KAFKA_BROKERS: 'b:9092', SCHEMA_REGISTRY_URL: 'http://r', DATABASE_URL: 'postgres://d' };

describe('configFromEnv', () => {
  it('is embedded without a broker, on disk when GETIHU_DATA_DIR names a folder', () => {
    expect(configFromEnv({})).toEqual({ mode: 'embedded' });
    expect(configFromEnv({ GETIHU_DATA_DIR: '/var/lib/getihu' })).toEqual({ mode: 'embedded', pgliteDir: '/var/lib/getihu' });
  });

  it('derives the store schema from the topic prefix unless one is named', () => {
    expect(configFromEnv({ ...kafka, GETIHU_TOPIC_PREFIX: 'tianjin-b' })).toMatchObject({
      prefix: 'tianjin-b',
      dbSchema: 'getihu_tianjin_b',
    });
    expect(configFromEnv({ ...kafka, GETIHU_TOPIC_PREFIX: 'x', GETIHU_DB_SCHEMA: 'own' })).toMatchObject({ dbSchema: 'own' });
    expect(configFromEnv(kafka)).not.toHaveProperty('dbSchema');
    expect(schemaOfPrefix('A.B')).toBe('getihu_a_b');
  });

  it('names what is missing', () => {
    expect(() => configFromEnv({ KAFKA_BROKERS: 'b:9092' })).toThrow(/SCHEMA_REGISTRY_URL and DATABASE_URL/);
  });
});
