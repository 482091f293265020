import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, civilDate, dayNumber, formatIsoDate, parseIsoDate, tryParseIsoDate } from './dates.js';

describe('dates', () => {
  it('parses real dates and rejects impossible ones', () => {
    expect(tryParseIsoDate('1970-01-01')).toBe(0);
    expect(tryParseIsoDate('2024-02-29')).toBe(dayNumber(2024, 2, 29));
    for (const bad of [
      '2023-02-29',
      '2024-02-30',
      '2024-13-01',
      '2024-00-10',
      '2024-1-5',
      '20240105',
      '',
      '2024-04-31',
      '0000-01-01',
    ]) {
      expect(tryParseIsoDate(bad), bad).toBeUndefined();
    }
    expect(() => parseIsoDate('2024-02-30', 'registration.establishedOn')).toThrowError(/registration.establishedOn/);
  });

  it('adds years, a 29 February landing on 28 February (Civil Code art. 203)', () => {
    expect(formatIsoDate(addYears(dayNumber(2020, 2, 29), 2))).toBe('2022-02-28');
    expect(formatIsoDate(addYears(dayNumber(2020, 2, 29), 4))).toBe('2024-02-29');
    expect(formatIsoDate(addYears(dayNumber(2024, 8, 15), -2))).toBe('2022-08-15');
  });

  it('property: day numbers and civil dates round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 800_000 }), (n) => {
        const { year, month, day } = civilDate(n);
        expect(dayNumber(year, month, day)).toBe(n);
        if (year >= 1 && year <= 9999) expect(tryParseIsoDate(formatIsoDate(n))).toBe(n);
      }),
    );
  });
});
