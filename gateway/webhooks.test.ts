/**
 * Webhook rules that the HTTP tests (gateway.test.ts) do not reach: which origins an operator's
 * list admits, and a delivery round over many endpoints that always ends and leaves none leased.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../lib/store/store.js';
import type { HttpError } from './errors.js';
import { checkWebhookUrl, parseWebhookOrigins, WebhookDeliverer } from './webhooks.js';

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
        return (err as HttpError).code;
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
      await store.putWebhook({ subject: `bank:${i}`, id: `id-${i}`, url: `http://127.0.0.1:1/${i}`, secret: 's' });
    const deliverer = new WebhookDeliverer({
      store,
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
    const rows = await store.rawQuery(
      'select count(*)::int as n, count(*) filter (where next_attempt <= now())::int as due, count(last_attempt_at)::int as tried from webhooks',
    );
    expect(rows[0]).toEqual({ n: 120, due: 120, tried: 0 });
  });
});
