/**
 * Banks' authorisations (授权), a repository of the store: a business grants a bank the reading of
 * more than is published (the basic-standard flags, the typing history) for one purpose, until a
 * day it names, and may revoke it. One SQL for both drivers; DATE read as text.
 */
import { isoText, jsonColumn } from './sqlText.js';
import type { Sql } from './store.js';

/**
 * What a bank may read beyond the published type, label and 名特优新 recognition: the basic-standard
 * flags, the typing history, and the finance measures (精准帮扶, channel bank) the business is owed.
 */
export const CONSENT_SCOPES = ['basic-standard', 'history', 'support'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

/** An authorisation, as kept. */
export interface Consent {
  readonly id: string;
  readonly creditCode: string;
  /** The bank's subject (its token's `sub`). */
  readonly bank: string;
  readonly purpose: string;
  readonly scope: readonly ConsentScope[];
  /** YYYY-MM-DD, the last day it holds (China time). */
  readonly expiresOn: string;
  /** Who granted it: the business's own subject. */
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly revokedAt: string | null;
}

const COLUMNS = `id, credit_code, bank, purpose, scope, expires_on::text as expires_on, granted_by,
  ${isoText('granted_at')} as granted_at, ${isoText('revoked_at')} as revoked_at`;

interface Row {
  readonly id: string;
  readonly credit_code: string;
  readonly bank: string;
  readonly purpose: string;
  readonly scope: unknown;
  readonly expires_on: string;
  readonly granted_by: string;
  readonly granted_at: string;
  readonly revoked_at: string | null;
}

function toConsent(r: Row): Consent {
  const scope = jsonColumn<ConsentScope[]>(r.scope);
  return {
    id: r.id,
    creditCode: r.credit_code,
    bank: r.bank,
    purpose: r.purpose,
    scope,
    expiresOn: r.expires_on,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at,
    revokedAt: r.revoked_at,
  };
}

/** The consents table. */
export class Consents {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Records a grant. */
  async grant(c: Omit<Consent, 'grantedAt' | 'revokedAt'>): Promise<Consent> {
    const r = await this.#sql.query<Row>(
      `insert into consents (id, credit_code, bank, purpose, scope, expires_on, granted_by)
       values ($1, $2, $3, $4, $5::jsonb, $6::date, $7) returning ${COLUMNS}`,
      [c.id, c.creditCode, c.bank, c.purpose, JSON.stringify(c.scope), c.expiresOn, c.grantedBy],
    );
    return toConsent(r.rows[0] as Row);
  }

  /** Revokes `id` of `creditCode`; null when it has none such, or it was revoked already. */
  async revoke(id: string, creditCode: string): Promise<Consent | null> {
    const r = await this.#sql.query<Row>(
      `update consents set revoked_at = now() where id = $1 and credit_code = $2 and revoked_at is null returning ${COLUMNS}`,
      [id, creditCode],
    );
    return r.rows[0] === undefined ? null : toConsent(r.rows[0]);
  }

  /** The authorisation `bank` holds from `creditCode` for `purpose` on `today`, if any (the latest granted). */
  async active(bank: string, creditCode: string, purpose: string, today: string): Promise<Consent | null> {
    const r = await this.#sql.query<Row>(
      `select ${COLUMNS} from consents
       where bank = $1 and credit_code = $2 and purpose = $3 and revoked_at is null and expires_on >= $4::date
       order by granted_at desc, grant_seq desc limit 1`,
      [bank, creditCode, purpose, today],
    );
    return r.rows[0] === undefined ? null : toConsent(r.rows[0]);
  }

  /**
   * `active` for several (bank, business, purpose) in one statement, answered in the order asked:
   * the gateway gathers the checks of concurrent requests into one.
   */
  async activeOf(
    asked: readonly { readonly bank: string; readonly creditCode: string; readonly purpose: string }[],
    today: string,
  ): Promise<(Consent | null)[]> {
    if (asked.length === 0) return [];
    if (asked.length === 1) {
      const a = asked[0] as (typeof asked)[number];
      return [await this.active(a.bank, a.creditCode, a.purpose, today)];
    }
    const r = await this.#sql.query<Row & { readonly i: unknown }>(
      `select k.i, c.* from unnest($1::text[], $2::text[], $3::text[]) with ordinality as k(bank, credit_code, purpose, i)
       left join lateral (
         select ${COLUMNS} from consents
         where bank = k.bank and credit_code = k.credit_code and purpose = k.purpose
           and revoked_at is null and expires_on >= $4::date
         order by granted_at desc, grant_seq desc limit 1) c on true
       order by k.i`,
      [asked.map((a) => a.bank), asked.map((a) => a.creditCode), asked.map((a) => a.purpose), today],
    );
    return r.rows.map((row) => (row.id == null ? null : toConsent(row)));
  }

  /** Every authorisation a business granted, newest first. */
  async ofBusiness(creditCode: string): Promise<Consent[]> {
    const r = await this.#sql.query<Row>(
      `select ${COLUMNS} from consents where credit_code = $1 order by granted_at desc, grant_seq desc`,
      [creditCode],
    );
    return r.rows.map(toConsent);
  }

  /** The authorisations a bank holds, newest first, at most `limit`. */
  async ofBank(bank: string, limit: number): Promise<Consent[]> {
    const r = await this.#sql.query<Row>(
      `select ${COLUMNS} from consents where bank = $1 order by granted_at desc, grant_seq desc limit $2`,
      [bank, limit],
    );
    return r.rows.map(toConsent);
  }
}
