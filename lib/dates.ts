/**
 * Calendar dates as integer day numbers (days since 1970-01-01, proleptic Gregorian).
 * The decision core works on day numbers only: comparisons are integer compares and
 * no time zone can shift a date. Algorithms after H. Hinnant, "chrono-compatible
 * low-level date algorithms".
 */
import { GetihuError } from './errors.js';

/** Days since 1970-01-01. */
export type DayNumber = number;

/** Day number of a civil date; month 1–12. No validation: see {@link parseIsoDate}. */
export function dayNumber(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number. */
export function civilDate(n: DayNumber): { year: number; month: number; day: number } {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Whether `year` is a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Number of days in a month of a year. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a strict `YYYY-MM-DD` calendar date. Returns `undefined` for anything that is
 * not a real date (wrong shape, month 13, 30 February, year 0).
 */
export function tryParseIsoDate(text: string): DayNumber | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayNumber(year, month, day);
}

/** Like {@link tryParseIsoDate} but throws `INVALID_DATE` naming the field. */
export function parseIsoDate(text: string, field = 'date'): DayNumber {
  const n = tryParseIsoDate(text);
  if (n === undefined) {
    throw new GetihuError('INVALID_DATE', `${field}: '${text}' is not a calendar date in the form YYYY-MM-DD`, { field });
  }
  return n;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/** The China day last asked for, as the span of instants it covers (the gateway asks on every request). */
let lastChinaDay = { from: 0, to: 0, text: '' };

/** The calendar date in China (UTC+8, no daylight saving) at the instant `at`, as `YYYY-MM-DD`. */
export function chinaDate(at: Date): string {
  const t = at.getTime();
  if (t >= lastChinaDay.from && t < lastChinaDay.to) return lastChinaDay.text;
  const text = new Date(t + CHINA_OFFSET_MS).toISOString().slice(0, 10);
  const from = Math.floor((t + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
  lastChinaDay = { from, to: from + DAY_MS, text };
  return text;
}

/** `YYYY-MM-DD` of a day number. */
export function formatIsoDate(n: DayNumber): string {
  const { year, month, day } = civilDate(n);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The calendar year of a day number. */
export function yearOf(n: DayNumber): number {
  return civilDate(n).year;
}

/**
 * The same calendar day `years` later (or earlier, for a negative count). A 29 February
 * with no counterpart falls on the last day of February, as the Civil Code counts periods
 * in years (民法典 第二百零二条: a period whose last month has no such day ends on that
 * month's last day).
 */
export function addYears(n: DayNumber, years: number): DayNumber {
  const { year, month, day } = civilDate(n);
  const y = year + years;
  return dayNumber(y, month, Math.min(day, daysInMonth(y, month)));
}
