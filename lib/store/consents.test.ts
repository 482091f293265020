/**
 * Authorisation checks asked many at once (the gateway gathers its requests' checks into one
 * statement) answer what each asked alone answers, in the order asked, on both stores.
 */
import { describe, expect, inject, it } from 'vitest';
import { Store } from './store.js';

const A = '92120101MA05T8WQ38';
const B = '92120102MA05T8WQ39';

describe.each(inject('infra') === undefined ? (['pglite'] as const) : (['pglite', 'postgres'] as const))(
  'authorisations in the %s store',
  (kind) => {
    it('checked many at once, as each alone', async () => {
      const store =
        kind === 'pglite'
          ? await Store.pglite()
          : await Store.postgres(inject('infra').DATABASE_URL, `consent${Date.now().toString(36)}`);
      try {
        const grant = (id: string, creditCode: string, bank: string, purpose: string, expiresOn: string) =>
          store.consents.grant({ id, creditCode, bank, purpose, scope: ['basic-standard'], expiresOn, grantedBy: creditCode });
        await grant('consent_a1', A, 'bank:x', 'credit-assessment', '2026-12-31');
        await grant('consent_a2', A, 'bank:x', 'product-matching', '2026-06-30'); // ended before today
        await grant('consent_b1', B, 'bank:y', 'credit-assessment', '2026-12-31');
        await grant('consent_b2', B, 'bank:y', 'credit-assessment', '2027-03-31'); // the latest granted
        await store.consents.revoke('consent_a1', A);
        await grant('consent_a3', A, 'bank:x', 'credit-assessment', '2026-12-01'); // ends today: still holds
        const asked = [
          { bank: 'bank:x', creditCode: A, purpose: 'credit-assessment' },
          { bank: 'bank:x', creditCode: A, purpose: 'product-matching' },
          { bank: 'bank:y', creditCode: B, purpose: 'credit-assessment' },
          { bank: 'bank:x', creditCode: B, purpose: 'credit-assessment' },
          { bank: 'bank:y', creditCode: B, purpose: 'credit-assessment' },
        ];
        const alone = await Promise.all(asked.map((a) => store.consents.active(a.bank, a.creditCode, a.purpose, '2026-12-01')));
        expect(alone.map((c) => c?.id ?? null)).toEqual(['consent_a3', null, 'consent_b2', null, 'consent_b2']);
        expect(await store.consents.activeOf(asked, '2026-12-01')).toEqual(alone);
        expect(await store.consents.activeOf(asked.slice(0, 1), '2026-12-01')).toEqual(alone.slice(0, 1));
        expect(await store.consents.activeOf([], '2026-12-01')).toEqual([]);
      } finally {
        await store.close();
      }
    });
  },
);
