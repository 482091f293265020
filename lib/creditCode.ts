/**
 * Unified social credit codes (统一社会信用代码), GB 32100-2015.
 *
 * 18 characters from a 31-character set (digits and capitals without I O S V Z):
 *   1     registration authority (9 = market regulation, 工商)
 *   2     entity type under that authority (for 9: 1 enterprise, 2 individual business 个体工商户, 3 farmers' co-operative)
 *   3–8   division of the registering authority (GB/T 2260)
 *   9–17  organisation code (GB 11714), whose 9th character is its own check character
 *   18    check character: 31 − (Σ value(cᵢ)·3^(i−1) mod 31) mod 31, over characters 1–17
 *
 * Some genuine early codes fail a checksum. They are accepted only when listed in a
 * configured allow-list, and then always carry the warning `CREDIT_CODE_CHECKSUM_ALLOWLISTED`.
 */
import { GetihuError } from './errors.js';
import { isValidDivisionCode } from './regions.js';

/** The GB 32100 character set, in value order (value = index). */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const VALUE = new Map<string, number>([...CREDIT_CODE_CHARSET].map((c, i) => [c, i]));
/** Weights 3^(i−1) mod 31 for positions 1–17. */
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);
/** GB 11714 weights for the 8 body characters of the organisation code. */
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** Why a code was rejected. */
export type CreditCodeProblem = 'LENGTH' | 'CHARSET' | 'DIVISION' | 'CHECK_CHARACTER' | 'ORGANISATION_CHECK';

/** A warning on an accepted code. */
export type CreditCodeWarning = 'CREDIT_CODE_CHECKSUM_ALLOWLISTED';

/** The parts of a valid unified social credit code. */
export interface CreditCode {
  /** The normalised 18-character code. */
  readonly code: string;
  /** Character 1: registration authority code. */
  readonly authority: string;
  /** Character 2: entity type under the authority. */
  readonly entityType: string;
  /** `92`: registered by market regulation as an individual business (个体工商户). */
  readonly isIndividualBusiness: boolean;
  /** Characters 3–8: GB/T 2260 division of the registering authority. */
  readonly divisionCode: string;
  /** Characters 9–17: the GB 11714 organisation code. */
  readonly organisationCode: string;
  /** Warnings: present only for allow-listed codes. */
  readonly warnings: readonly CreditCodeWarning[];
}

/** The outcome of {@link validateCreditCode}. */
export type CreditCodeResult =
  | { readonly ok: true; readonly value: CreditCode }
  | { readonly ok: false; readonly problem: CreditCodeProblem; readonly message: string };

/** The GB 32100 check character for the first 17 characters (which must be in the charset). */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (VALUE.get(first17[i] as string) as number) * (WEIGHTS[i] as number);
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31] as string;
}

function orgCharValue(c: string): number {
  const n = c.charCodeAt(0);
  return n >= 48 && n <= 57 ? n - 48 : n - 55; // '0'–'9' → 0–9, 'A'–'Z' → 10–35
}

/** The GB 11714 check character for the 8 body characters of an organisation code. */
export function organisationCheckCharacter(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCharValue(body8[i] as string) * (ORG_WEIGHTS[i] as number);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** Options for {@link validateCreditCode}. */
export interface CreditCodeOptions {
  /** Codes accepted despite a failing checksum (normalised, upper case). */
  readonly checksumAllowList?: ReadonlySet<string>;
}

/**
 * Validates and parses a unified social credit code. Surrounding white space is ignored
 * and letters are upper-cased before checking.
 */
export function validateCreditCode(input: string, options: CreditCodeOptions = {}): CreditCodeResult {
  const code = input.trim().toUpperCase();
  if (code.length !== 18) {
    return { ok: false, problem: 'LENGTH', message: `a credit code has 18 characters, got ${code.length}` };
  }
  if (!SHAPE.test(code)) {
    const bad = [...code].find((c) => !VALUE.has(c));
    return {
      ok: false,
      problem: 'CHARSET',
      message: `character '${bad}' is not in the GB 32100 character set (no I, O, S, V, Z)`,
    };
  }
  const divisionCode = code.slice(2, 8);
  if (!isValidDivisionCode(divisionCode)) {
    return { ok: false, problem: 'DIVISION', message: `characters 3–8 '${divisionCode}' are not a GB/T 2260 division code` };
  }
  const warnings: CreditCodeWarning[] = [];
  const allowListed = options.checksumAllowList?.has(code) === true;
  const expectedOrg = organisationCheckCharacter(code.slice(8, 16));
  if (code[16] !== expectedOrg) {
    if (!allowListed) {
      return {
        ok: false,
        problem: 'ORGANISATION_CHECK',
        message: `organisation code check character (17th) is '${code[16]}', GB 11714 gives '${expectedOrg}'`,
      };
    }
    warnings.push('CREDIT_CODE_CHECKSUM_ALLOWLISTED');
  }
  const expected = creditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    if (!allowListed) {
      return {
        ok: false,
        problem: 'CHECK_CHARACTER',
        message: `check character (18th) is '${code[17]}', GB 32100 gives '${expected}'`,
      };
    }
    if (warnings.length === 0) warnings.push('CREDIT_CODE_CHECKSUM_ALLOWLISTED');
  }
  return {
    ok: true,
    value: Object.freeze({
      code,
      authority: code[0] as string,
      entityType: code[1] as string,
      isIndividualBusiness: code.startsWith('92'),
      divisionCode,
      organisationCode: code.slice(8, 17),
      warnings: Object.freeze(warnings),
    }),
  };
}

/**
 * Completes 16 characters (authority, type, division, 8-character organisation body) into
 * a valid 18-character code by appending both check characters. Used by the generator.
 */
export function completeCreditCode(first16: string): string {
  const first17 = first16 + organisationCheckCharacter(first16.slice(8, 16));
  return first17 + creditCodeCheckCharacter(first17);
}

/**
 * The code of an individual business (个体工商户), normalised, or a GetihuError naming `field`:
 * `INVALID_CREDIT_CODE` (with the problem) or `NOT_INDIVIDUAL_BUSINESS`.
 */
export function requireIndividualBusinessCode(
  input: unknown,
  field = 'creditCode',
  allow: ReadonlySet<string> = new Set(),
): CreditCode {
  const r = validateCreditCode(String(input), { checksumAllowList: allow });
  if (!r.ok) throw new GetihuError('INVALID_CREDIT_CODE', `${field}: ${r.message}`, { field, problem: r.problem });
  if (!r.value.isIndividualBusiness) {
    throw new GetihuError(
      'NOT_INDIVIDUAL_BUSINESS',
      `${field}: '${r.value.code}' starts '${r.value.code.slice(0, 2)}', not '92' (individual business, 个体工商户)`,
      { field },
    );
  }
  return r.value;
}
