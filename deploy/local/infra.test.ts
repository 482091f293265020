/**
 * The local broker's storage is formatted with `kafka-storage format -t <cluster id>`. The tool's
 * argument parser takes an id that starts with '-' for an option and fails the format, so a
 * cluster id must be 22 base64url characters (16 bytes, as `kafka-storage random-uuid` prints)
 * whose first is not '-'.
 */
import { describe, expect, it } from 'vitest';
import { kraftClusterId } from './infra.js';

describe('the local broker', () => {
  it('gets a cluster id the storage tool accepts, however the random bytes fall', () => {
    // One id in 64 would start with '-' if it were not drawn again: 20,000 draws meet it ~300 times.
    for (let i = 0; i < 20_000; i++) expect(kraftClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
