/**
 * Authorisation checks asked many at once (the gateway gathers its requests' checks into one
 * statement) answer what each asked alone answers, in the order asked, on both stores.
 */
import { describe, expect, inject, it } from 'vitest';
import { Store } from './store.js';
import { rawQuery } from './testing.js';

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

    it('of two grants in the same instant, the one granted second is the latest', async () => {
      const store =
        kind === 'pglite'
          ? await Store.pglite()
          : await Store.postgres(inject('infra').DATABASE_URL, `consenttie${Date.now().toString(36)}`);
      try {
        for (const id of ['consent_first', 'consent_second'])
          await store.consents.grant({
            id,
            creditCode: B,
            bank: 'bank:y',
            purpose: 'credit-assessment',
            scope: ['basic-standard'],
            expiresOn: '2026-12-31',
            grantedBy: B,
          });
        // The embedded store's clock counts milliseconds: two grants often share their time.
        await rawQuery(store, "update consents set granted_at = '2026-11-30T02:00:00Z'");
        const asked = { bank: 'bank:y', creditCode: B, purpose: 'credit-assessment' };
        expect((await store.consents.active(asked.bank, B, asked.purpose, '2026-12-01'))?.id).toBe('consent_second');
        expect((await store.consents.activeOf([asked, asked], '2026-12-01')).map((c) => c?.id)).toEqual([
          'consent_second',
          'consent_second',
        ]);
        expect((await store.consents.ofBusiness(B)).map((c) => c.id)).toEqual(['consent_second', 'consent_first']);
      } finally {
        await store.close();
      }
    });
  },
);
