import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_CODE_CHARSET,
  completeCreditCode,
  creditCodeCheckCharacter,
  organisationCheckCharacter,
  validateCreditCode,
} from './creditCode.js';

// Real, public codes (published on business licences and in the national register).
const REAL_CODES = [
  ['92371000MA3MXH0E3W', '371000', true], // an individual business (个体工商户), Weihai, Shandong
  ['91330100799655058B', '330100', false], // 阿里巴巴（中国）有限公司
  ['91440300708461136T', '440300', false], // 深圳市腾讯计算机系统有限公司
  ['914403001922038216', '440300', false], // 华为技术有限公司
  ['91110108551385082Q', '110108', false], // 小米科技有限责任公司
  ['91110000802100433B', '110000', false], // 百度在线网络技术（北京）有限公司
  ['91230184MA1BUFLT44', '230184', false],
] as const;

describe('validateCreditCode (GB 32100-2015)', () => {
  it.each(REAL_CODES)('accepts the real code %s and parses its parts', (code, division, individual) => {
    const r = validateCreditCode(code);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.divisionCode).toBe(division);
    expect(r.value.isIndividualBusiness).toBe(individual);
    expect(r.value.authority).toBe('9');
    expect(r.value.organisationCode).toBe(code.slice(8, 17));
    expect(r.value.warnings).toEqual([]);
  });

  it('normalises case and surrounding white space', () => {
    const r = validateCreditCode('  92371000ma3mxh0e3w ');
    expect(r.ok && r.value.code).toBe('92371000MA3MXH0E3W');
  });

  it('rejects a wrong length', () => {
    expect(validateCreditCode('92371000MA3MXH0E3')).toMatchObject({ ok: false, problem: 'LENGTH' });
  });

  it.each(['I', 'O', 'S', 'V', 'Z'])('rejects the excluded letter %s', (letter) => {
    const code = `92371000MA3MXH0E3${letter}`;
    expect(validateCreditCode(code)).toMatchObject({ ok: false, problem: 'CHARSET' });
  });

  it('rejects an unknown province in the division', () => {
    expect(validateCreditCode(completeCreditCode('92990101MA000001'))).toMatchObject({ ok: false, problem: 'DIVISION' });
  });

  it('rejects a wrong check character', () => {
    expect(validateCreditCode('92371000MA3MXH0E3X')).toMatchObject({ ok: false, problem: 'CHECK_CHARACTER' });
  });

  it('rejects a wrong organisation-code (GB 11714) check character even when the 18th is recomputed', () => {
    const first17 = '92371000MA3MXH0E4';
    const code = first17 + creditCodeCheckCharacter(first17);
    expect(validateCreditCode(code)).toMatchObject({ ok: false, problem: 'ORGANISATION_CHECK' });
  });

  it('accepts a failing code only through the allow-list, and then with a warning', () => {
    const bad = '92371000MA3MXH0E3X';
    const r = validateCreditCode(bad, { checksumAllowList: new Set([bad]) });
    expect(r).toMatchObject({ ok: true, value: { code: bad, warnings: ['CREDIT_CODE_CHECKSUM_ALLOWLISTED'] } });
  });

  it('computes the GB 11714 check of a known organisation code (X and 0 cases included)', () => {
    expect(organisationCheckCharacter('79965505')).toBe('8');
    expect(organisationCheckCharacter('MA3MXH0E')).toBe('3');
  });

  it('property: every completed code validates, and any single-character change is caught', () => {
    const ch = fc.constantFrom(...CREDIT_CODE_CHARSET);
    fc.assert(
      fc.property(fc.array(ch, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 17 }), ch, (body, pos, replacement) => {
        const code = completeCreditCode(`92120101${body.join('')}`);
        expect(validateCreditCode(code).ok).toBe(true);
        if (code[pos] === replacement || pos < 8) return;
        const changed = code.slice(0, pos) + replacement + code.slice(pos + 1);
        expect(validateCreditCode(changed).ok).toBe(false);
      }),
    );
  });
});
