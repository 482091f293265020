/**
 * Schemas: every topic's schema parses, and its golden value encodes to the golden bytes
 * beside it (schemas/<topic>/v1.golden.json → v1.golden.avro), pinning the wire format.
 * Regenerate with GOLDEN_UPDATE=1. Against the real registry: subjects register under BACKWARD
 * compatibility, a compatible change is accepted and an incompatible one refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, inject, it } from 'vitest';
import { ALL_TOPICS } from '../lib/topics.js';
import { Codec, LocalSchemaStore, latestSchemaText, RemoteSchemaStore } from './codec.js';
import { frame, unframe } from './wireFormat.js';

const DIR = import.meta.dirname;
const update = process.env.GOLDEN_UPDATE === '1';

/** A deterministic example value for a schema: the first symbol, zero, empty, the field name. */
function example(type: avro.Type, name = 'x'): unknown {
  const t = type as avro.Type & {
    typeName: string;
    fields?: { name: string; type: avro.Type }[];
    symbols?: string[];
    types?: avro.Type[];
    itemsType?: avro.Type;
    valuesType?: avro.Type;
  };
  switch (t.typeName) {
    case 'record':
      return Object.fromEntries((t.fields ?? []).map((f) => [f.name, example(f.type, f.name)]));
    case 'enum':
      return t.symbols?.[0];
    case 'union:unwrapped':
      return example((t.types ?? [])[(t.types?.length ?? 1) - 1] as avro.Type, name);
    case 'array':
      return [example(t.itemsType as avro.Type, name)];
    case 'map':
      return { [name]: example(t.valuesType as avro.Type, name) };
    case 'string':
      return name === 'creditCode' ? '92120101MA05T8WQ38' : `${name}-示例`;
    case 'bytes':
      return Buffer.from('原始记录', 'utf8');
    case 'boolean':
      return true;
    case 'int':
    case 'long':
      return name.endsWith('On') || name === 'asOf' ? 20_315 : 42;
    default:
      return null;
  }
}

describe('schemas', () => {
  const versionsOf = (topic: string) =>
    readdirSync(join(DIR, topic))
      .map((f) => /^v(\d+)\.avsc$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  const readGolden = (file: string) =>
    JSON.parse(readFileSync(file, 'utf8'), (_k, x) =>
      x?.$bytesBase64 === undefined ? x : Buffer.from(x.$bytesBase64, 'base64'),
    );

  // The golden pair of each topic's newest version pins its wire format; a missing pair is a
  // failure (written only with GOLDEN_UPDATE=1, then reviewed like any other change).
  it.each(ALL_TOPICS.map((t) => t.name))('%s: golden value ↔ golden bytes', (topic) => {
    const type = avro.Type.forSchema(JSON.parse(latestSchemaText(topic)), { wrapUnions: false });
    const latest = versionsOf(topic).at(-1) as number;
    const jsonFile = join(DIR, topic, `v${latest}.golden.json`);
    const binFile = join(DIR, topic, `v${latest}.golden.avro`);
    if (update) {
      const v = example(type);
      writeFileSync(
        jsonFile,
        `${JSON.stringify(v, (_k, x) => (x?.type === 'Buffer' ? { $bytesBase64: Buffer.from(x.data).toString('base64') } : x), 2)}\n`,
      );
      writeFileSync(binFile, type.toBuffer(v));
    }
    expect(existsSync(jsonFile) && existsSync(binFile), `${jsonFile} and its .avro (GOLDEN_UPDATE=1 writes them)`).toBe(true);
    const value = readGolden(jsonFile);
    expect(type.isValid(value)).toBe(true);
    const golden = readFileSync(binFile);
    expect(type.toBuffer(value).equals(golden)).toBe(true);
    expect(type.fromBuffer(golden)).toEqual(value);
  });

  // BACKWARD compatibility, offline: what an older version wrote, the newest schema still reads,
  // every field the older one had unchanged.
  it.each(ALL_TOPICS.map((t) => t.name).filter((t) => versionsOf(t).length > 1))(
    '%s: the newest schema reads every older version’s golden bytes',
    (topic) => {
      const reader = avro.Type.forSchema(JSON.parse(latestSchemaText(topic)), { wrapUnions: false });
      for (const v of versionsOf(topic).slice(0, -1)) {
        const file = join(DIR, topic, `v${v}.golden.avro`);
        if (!existsSync(file)) continue;
        const writer = avro.Type.forSchema(JSON.parse(readFileSync(join(DIR, topic, `v${v}.avsc`), 'utf8')), {
          wrapUnions: false,
        });
        const read = reader.fromBuffer(readFileSync(file), reader.createResolver(writer)) as Record<string, unknown>;
        expect(read).toMatchObject(readGolden(join(DIR, topic, `v${v}.golden.json`)));
      }
    },
  );

  // A support event carries the same facts as the typing decision it follows from, and the sink
  // reads both with one conversion (matchers/decidedFacts.ts): the two definitions are one.
  it('the typing and support events define DecidedFacts alike', () => {
    const factsOf = (topic: string) =>
      (JSON.parse(latestSchemaText(topic)) as { fields: { name: string; type: unknown }[] }).fields.find(
        (f) => f.name === 'facts',
      )?.type;
    const typing = factsOf('getihu.decision.typing');
    expect(typing).toEqual(['null', expect.objectContaining({ name: 'DecidedFacts' })]);
    expect(factsOf('getihu.decision.support')).toEqual(typing);
  });

  it('frames and unframes the Confluent wire format', () => {
    const body = Buffer.from([1, 2, 3]);
    const f = frame(258, body);
    expect([...f.subarray(0, 5)]).toEqual([0, 0, 0, 1, 2]);
    expect(unframe(f)).toEqual({ schemaId: 258, body });
    expect(() => unframe(Buffer.from([1, 0, 0, 0, 1]))).toThrow();
  });

  it('refuses to encode a value that does not match, naming the path', async () => {
    const codec = await Codec.create(new LocalSchemaStore());
    expect(() => codec.encode('getihu.fact.tax', { creditCode: 'x', year: 'last' })).toThrow(/getihu.fact.tax schema at year/);
  });
});

describe.skipIf(inject('infra') === undefined)('schema registry (Apicurio, Confluent-compatible API)', () => {
  it('registers every subject, accepts a BACKWARD-compatible change and refuses an incompatible one', async () => {
    const store = new RemoteSchemaStore(inject('infra').SCHEMA_REGISTRY_URL);
    const prefix = `s${randomBytes(4).toString('hex')}`;
    const codec = await Codec.create(store, prefix);
    const topic = `${prefix}.getihu.fact.ip`;
    const value = {
      creditCode: '92120101MA05T8WQ38',
      trademarksInUse: 1,
      patents: 0,
      source: { agency: 'ip-office', feed: 'f', line: 1, recordId: 'r', reportedAt: 1_750_000_000_000 },
    };
    expect(await codec.decode(topic, codec.encode(topic, value))).toEqual(value);

    const v1 = JSON.parse(latestSchemaText('getihu.fact.ip'));
    const compatible = { ...v1, fields: [...v1.fields, { name: 'designs', type: 'int', default: 0 }] };
    const incompatible = { ...v1, fields: [...v1.fields, { name: 'licensee', type: 'string' }] };
    const id2 = await store.register(`${topic}-value`, JSON.stringify(compatible));
    expect(id2).toBeGreaterThan(0);
    await expect(store.register(`${topic}-value`, JSON.stringify(incompatible))).rejects.toMatchObject({ code: 'INVALID_INPUT' });

    // A consumer on v1 still reads what a v2 producer writes (resolution by writer schema id).
    const v2 = avro.Type.forSchema(compatible, { wrapUnions: false });
    const written = frame(id2, v2.toBuffer({ ...value, designs: 3 }));
    expect(await codec.decode(topic, written)).toEqual(value);
  });
});
