import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, chinaDate, civilDate, dayNumber, formatIsoDate, parseIsoDate, tryParseIsoDate } from './dates.js';

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

  it("China's date turns at 16:00 UTC, whichever day was asked for before", () => {
    const at = (iso: string) => chinaDate(new Date(iso));
    // Asked in turn across the turn of a day, both ways, and back: the day last asked for is
    // remembered, and never answered for an instant outside it.
    expect(at('2025-08-14T15:59:59.999Z')).toBe('2025-08-14');
    expect(at('2025-08-14T16:00:00.000Z')).toBe('2025-08-15');
    expect(at('2025-08-14T15:59:59.999Z')).toBe('2025-08-14');
    expect(at('2025-08-15T15:59:59.999Z')).toBe('2025-08-15');
    expect(at('2025-08-15T16:00:00.000Z')).toBe('2025-08-16');
    expect(at('2025-08-14T00:00:00.000Z')).toBe('2025-08-14');
    expect(at('1969-12-31T16:00:00.000Z')).toBe('1970-01-01');
    expect(at('1969-12-31T15:59:59.999Z')).toBe('1969-12-31');
    expect(() => chinaDate(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('property: chinaDate is the UTC date eight hours on, in any order of asking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2e12, max: 4e12 }), { minLength: 1, maxLength: 20 }), (instants) => {
        for (const t of instants) expect(chinaDate(new Date(t))).toBe(new Date(t + 8 * 3_600_000).toISOString().slice(0, 10));
      }),
    );
  });
});
