/**
 * Webhook rules that the HTTP tests (gateway.test.ts) do not reach: which origins an operator's
 * list admits, a delivery round over many endpoints that always ends and leaves none leased, and
 * the sealing of secrets at rest.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetihuError } from '../lib/errors.js';
import { Store } from '../lib/store/store.js';
import { rawQuery } from '../lib/store/testing.js';
import { checkWebhookUrl, parseWebhookOrigins, SecretBox, WebhookDeliverer } from './webhooks.js';

describe('webhook origins', () => {
  const origins = parseWebhookOrigins('https://hooks.bank.example, https://api.bank.example:8443, http://127.0.0.1:*');

  it('admits a URL on a listed origin, the default port written or not', () => {
    expect(checkWebhookUrl('https://hooks.bank.example/getihu', origins).href).toBe('https://hooks.bank.example/getihu');
    expect(checkWebhookUrl('https://hooks.bank.example:443/getihu', origins).href).toBe('https://hooks.bank.example/getihu');
    expect(checkWebhookUrl('https://api.bank.example:8443/x?y=1', origins).port).toBe('8443');
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', origins).port).toBe('4000');
  });

  it('refuses other schemes, hosts and ports, credentials and fragments, and says why', () => {
    const refused = (url: string) => {
      try {
        checkWebhookUrl(url, origins);
        return null;
      } catch (err) {
        return (err as GetihuError).code;
      }
    };
    expect(refused('http://hooks.bank.example/getihu')).toBe('FORBIDDEN');
    expect(refused('https://hooks.bank.example:8443/getihu')).toBe('FORBIDDEN');
    expect(refused('https://api.bank.example/x')).toBe('FORBIDDEN');
    expect(refused('https://evil.example/?h=hooks.bank.example')).toBe('FORBIDDEN');
    expect(refused('https://hooks.bank.example.evil.example/')).toBe('FORBIDDEN');
    expect(refused('http://localhost:4000/hook')).toBe('FORBIDDEN');
    expect(refused('https://user:pw@hooks.bank.example/')).toBe('INVALID_ARGUMENT');
    expect(refused('https://hooks.bank.example/#x')).toBe('INVALID_ARGUMENT');
    expect(refused('/relative')).toBe('INVALID_ARGUMENT');
    expect(() => checkWebhookUrl('https://hooks.bank.example/', [])).toThrow(/delivers no webhooks/);
    expect(() => parseWebhookOrigins('https://hooks.bank.example/path')).toThrow(/scheme:\/\/host/);
    expect(() => parseWebhookOrigins('ftp://hooks.bank.example')).toThrow(/scheme:\/\/host/);
    expect(parseWebhookOrigins(' , ')).toEqual([]);
  });
});

describe('delivery rounds', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.pglite();
  });
  afterAll(async () => {
    await store.close();
  });

  it('go over more endpoints than one claim takes, end, and leave none leased', async () => {
    for (let i = 0; i < 120; i++)
      await store.webhooks.put({ subject: `bank:${i}`, id: `id-${i}`, url: `http://127.0.0.1:1/${i}`, secret: 's' });
    const deliverer = new WebhookDeliverer({
      store,
      secrets: new SecretBox(randomBytes(32)),
      onChange: () => () => undefined,
      origins: parseWebhookOrigins('http://127.0.0.1:*'),
      tickMs: 3_600_000,
    });
    try {
      const ended = await Promise.race([
        deliverer.pass().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 20_000)),
      ]);
      expect(ended).toBe(true);
    } finally {
      await deliverer.stop();
    }
    // Nothing had changed for these banks: nothing was sent, and each is due again, not held.
    const rows = await rawQuery(
      store,
      'select count(*)::int as n, count(*) filter (where next_attempt <= now())::int as due, count(last_attempt_at)::int as tried from webhooks',
    );
    expect(rows[0]).toEqual({ n: 120, due: 120, tried: 0 });
  });
});

describe('webhook secrets at rest', () => {
  const box = new SecretBox(randomBytes(32));

  it('seal for one bank, open for that bank only, with that key only', () => {
    const secret = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    const sealed = box.seal(secret, 'bank:a');
    expect(sealed).toMatch(/^sealed:v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret.slice(6));
    // A fresh nonce each time: the same secret never seals to the same text.
    expect(box.seal(secret, 'bank:a')).not.toBe(sealed);
    expect(box.open(sealed, 'bank:a')).toBe(secret);
    // Copied to another bank's row, or opened with another key: refused, never a wrong secret.
    expect(() => box.open(sealed, 'bank:b')).toThrow(/does not open/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'bank:a')).toThrow(/does not open/);
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.at(-1)}`;
    expect(() => box.open(flipped, 'bank:a')).toThrow(/does not open/);
    expect(() => box.open('sealed:v1:AAAA', 'bank:a')).toThrow(/cut short/);
  });

  it('reads a secret stored before sealing as it is', () => {
    expect(box.open('whsec_stored-before', 'bank:a')).toBe('whsec_stored-before');
  });

  it('takes its key from the environment, else from a key file it makes once (0600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'getihu-secrets-'));
    try {
      const file = join(dir, 'keys', 'webhook-secrets.key');
      const sealed = SecretBox.load(undefined, file).seal('s', 'bank:a');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(dir, 'keys'))).toEqual(['webhook-secrets.key']);
      expect(SecretBox.load('', file).open(sealed, 'bank:a')).toBe('s');
      const key = readFileSync(file, 'utf8').trim();
      expect(SecretBox.load(key, join(dir, 'unused')).open(sealed, 'bank:a')).toBe('s');
      expect(() => SecretBox.load('c2hvcnQ=', file)).toThrow(/^GETIHU_WEBHOOK_SECRETS_KEY must be 32 bytes/);
      // A damaged key file is named as the source, not the environment.
      writeFileSync(file, 'c2hvcnQ=\n');
      expect(() => SecretBox.load(undefined, file)).toThrow(/^the key in .*webhook-secrets\.key must be 32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('webhook targets (F6)', () => {
  it('tells public addresses from loopback, private, link-local and unique-local ones', async () => {
    const { isPrivateAddress } = await import('./webhooks.js');
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ])
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ['8.8.8.8', '202.96.128.86', '172.32.0.1', '2001:db8::1'])
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it('refuses a listed name that resolves to loopback; delivers to a loopback address the operator named itself', async () => {
    const { isPrivateAddress, resolveTarget } = await import('./webhooks.js');
    // This machine's own name resolves to one of its addresses, none public on a test machine: a
    // name on the list that resolves there is refused (as a rebinding name would be).
    const { hostname } = await import('node:os');
    const { lookup } = await import('node:dns/promises');
    const name = hostname().toLowerCase();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length > 0 && addresses.every((a) => isPrivateAddress(a.address))) {
      const byName = parseWebhookOrigins(`http://${name}:*`);
      expect(await resolveTarget(new URL(`http://${name}:9/hook`), byName)).toBe(
        'the endpoint resolves to an address that is not public',
      );
    }
    const byAddress = parseWebhookOrigins('http://127.0.0.1:*');
    expect(await resolveTarget(new URL('http://127.0.0.1:9/hook'), byAddress)).toEqual({ address: '127.0.0.1', family: 4 });
  });
});
