/**
 * A partition's fact records spread over bucket files by business, so that a run's share holds one
 * bucket's businesses in memory at a time rather than the partition's; each business lies whole in
 * one bucket (`bucketOf`). The records are written as read, undecoded (topic, partition, offset,
 * key, value), appended to one file per bucket with a buffer each; a bucket is read back whole when
 * its turn comes and its file deleted.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InRecord } from '../lib/bus/index.js';

/**
 * The bucket of a business fact's key: FNV-1a of the credit code it begins with (a key is the code,
 * or the code followed by `:year…` for a yearly fact or `@time` for a versioned one; a credit code
 * holds neither character), so all of a business's records meet in one bucket. FNV-1a rather than
 * murmur2, which placed the key on its partition: every key of a partition has the same murmur2
 * remainder.
 */
export function bucketOf(key: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x3a || c === 0x40) break;
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}

/** Bytes a bucket gathers before they are written to its file. */
const CHUNK = 1 << 20;

/** A record's frame: topic index u8, partition u16, offset f64, key length u16, value length u32. */
const HEAD = 1 + 2 + 8 + 2 + 4;

/** Where a partition's records were spread: read back with `BucketFiles.records`, on any thread. */
export interface Spilled {
  readonly dir: string;
  readonly buckets: number;
  readonly topics: readonly string[];
}

/** One bucket file per bucket in a scratch folder of its own. */
export class BucketFiles {
  readonly count: number;
  readonly dir: string;
  readonly #topics: readonly string[];
  readonly #chunks: Buffer[];
  readonly #used: number[];
  readonly #fds: number[];

  /** `topics`: the topic names records may come from (a frame names its topic by index). */
  constructor(count: number, topics: readonly string[], parent = tmpdir()) {
    this.count = count;
    this.#topics = topics;
    this.dir = mkdtempSync(join(parent, 'getihu-share-'));
    this.#chunks = Array.from({ length: count }, () => Buffer.allocUnsafe(CHUNK));
    this.#used = new Array<number>(count).fill(0);
    this.#fds = Array.from({ length: count }, (_, b) => openSync(bucketFile(this.dir, b), 'w'));
  }

  /** Appends a record (with a key and a value) to its key's bucket. */
  add(r: InRecord): void {
    if (r.key === null || r.value === null) return;
    const b = bucketOf(r.key, this.count);
    const keyBytes = Buffer.byteLength(r.key);
    const size = HEAD + keyBytes + r.value.length;
    if ((this.#used[b] as number) + size > CHUNK) this.#write(b);
    let chunk = this.#chunks[b] as Buffer;
    // A record larger than a chunk gets a buffer of its own.
    if (size > chunk.length) chunk = Buffer.allocUnsafe(size);
    let at = this.#used[b] as number;
    at = chunk.writeUInt8(this.#topics.indexOf(r.topic), at);
    at = chunk.writeUInt16LE(r.partition, at);
    at = chunk.writeDoubleLE(r.offset, at);
    at = chunk.writeUInt16LE(keyBytes, at);
    at = chunk.writeUInt32LE(r.value.length, at);
    at += chunk.write(r.key, at);
    at += r.value.copy(chunk, at);
    if (chunk === this.#chunks[b]) this.#used[b] = at;
    else writeSync(this.#fds[b] as number, chunk, 0, at);
  }

  #write(b: number): void {
    writeSync(this.#fds[b] as number, this.#chunks[b] as Buffer, 0, this.#used[b]);
    this.#used[b] = 0;
  }

  /** Writes what each bucket still gathers and closes the files: every record is then on disk. */
  finish(): Spilled {
    for (let b = 0; b < this.count; b++) {
      this.#write(b);
      closeSync(this.#fds[b] as number);
    }
    this.#chunks.length = 0;
    return { dir: this.dir, buckets: this.count, topics: this.#topics };
  }

  /** Bucket `b`'s records in the order they were added; its file is deleted once read, and the folder with the last. */
  static *records(spilled: Spilled, b: number): Generator<InRecord> {
    const file = bucketFile(spilled.dir, b);
    const data = readFileSync(file);
    unlinkSync(file);
    // The last bucket read takes the folder with it (a folder with files left is not removed).
    try {
      rmdirSync(spilled.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw err;
    }
    for (let at = 0; at < data.length; ) {
      const topic = spilled.topics[data.readUInt8(at)] as string;
      const partition = data.readUInt16LE(at + 1);
      const offset = data.readDoubleLE(at + 3);
      const keyBytes = data.readUInt16LE(at + 11);
      const valueBytes = data.readUInt32LE(at + 13);
      at += HEAD;
      const key = data.toString('utf8', at, at + keyBytes);
      at += keyBytes;
      const value = data.subarray(at, at + valueBytes);
      at += valueBytes;
      yield { topic, partition, offset, key, value, headers: {} };
    }
  }

  /** Deletes the folder and whatever is left in it. */
  static remove(spilled: Pick<Spilled, 'dir'>): void {
    rmSync(spilled.dir, { recursive: true, force: true });
  }
}

const bucketFile = (dir: string, b: number) => join(dir, `bucket-${b}`);
