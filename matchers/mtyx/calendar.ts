/**
 * The 名特优新 calendar: every date rule of the programme, defined once and used by the round,
 * the lifecycle, the sweep, renewals, revocations and the gateway.
 *
 * Periods counted in years follow the Civil Code (民法典):
 *   - 第二百零一条: a period counted in years starts on the day after the event (the day of the
 *     event itself is not counted);
 *   - 第二百零二条: it ends on the corresponding day of the last year; where that month has no such
 *     day (29 February), on the last day of the month.
 * So a period of N years from day D ends on {@link addYears}(D, N), and D's own day is inside it
 * as the day the event happened. The statutory-holiday extension of 第二百零三条 is not applied:
 * the texts' periods are validity and a bar on applying, not time limits a business must meet.
 *
 * Readings of the texts (国市监注发〔2024〕10号 附件 二(五)(六); 津市场监管政务〔2024〕9号 附件2 四、五;
 * the Beijing district plans 三(二)1 and 三(五)):
 *   - validity (有效期为3年，以认定时间为准): from the recognition date to {@link periodEnd}(recognised, 3);
 *   - the bar after a revocation (5年内不得再次申报): applications are refused up to and including
 *     {@link periodEnd}(revoked, 5), accepted from the day after;
 *   - benefits (次年1月1日起…享受相关扶持政策): from 1 January of the year after the recognition;
 *   - the round (当年8月中旬起…11月底前完成): applications and recommendations from the rule set's
 *     `calendar.applicationsFrom` to `calendar.decisionBy` of the round year; the decision on or
 *     before `decisionBy` and never before the application it decides;
 *   - the last year of validity (分类有效期的最后一年): the year that ends on the last valid day.
 */
import { addYears, type DayNumber, dayNumber, yearOf } from '../../lib/dates.js';
import type { RuleSet } from '../ruleSet.js';

/** The last day of a period of `years` years that starts with the event of day `start` (民法典 第二百零一、二百零二条). */
export function periodEnd(start: DayNumber, years: number): DayNumber {
  return addYears(start, years);
}

/** The last valid day of a recognition made on `recognisedOn`. */
export function validityEnd(recognisedOn: DayNumber, rs: RuleSet): DayNumber {
  return periodEnd(recognisedOn, rs.mtyx.lifecycle.validityYears);
}

/** The last valid day after an extension (有效期延长3年) of a recognition valid until `validUntil`. */
export function extendedValidityEnd(validUntil: DayNumber, rs: RuleSet): DayNumber {
  return periodEnd(validUntil, rs.mtyx.lifecycle.extensionYears);
}

/** The first day of the last year of validity of a recognition valid until `validUntil`. */
export function lastYearOfValidityFrom(validUntil: DayNumber): DayNumber {
  return addYears(validUntil, -1) + 1;
}

/** The last day on which no new application is accepted after a revocation on `revokedOn`. */
export function barEnd(revokedOn: DayNumber, rs: RuleSet): DayNumber {
  return periodEnd(revokedOn, rs.mtyx.lifecycle.reapplyBarYears);
}

/** Whether a revocation on `revokedOn` still bars an application made on `on`. */
export function barredOn(revokedOn: DayNumber, on: DayNumber, rs: RuleSet): boolean {
  return on >= revokedOn && on <= barEnd(revokedOn, rs);
}

/** The day support measures start for a recognition made on `recognisedOn`: 1 January of the next year. */
export function benefitsFrom(recognisedOn: DayNumber): DayNumber {
  return dayNumber(yearOf(recognisedOn) + 1, 1, 1);
}

/** The yearly information report's due date in `year` (每年7月底前完成信息报告). */
export function reportDue(year: number, rs: RuleSet): DayNumber {
  return monthDay(year, rs.mtyx.lifecycle.reportDueMonthDay);
}

/**
 * The years a recognition made on `recognisedOn` and valid until `validUntil` owed a yearly report
 * by `on`: each year after the recognition year whose due date has passed within the validity.
 */
export function reportYearsDue(recognisedOn: DayNumber, validUntil: DayNumber, on: DayNumber, rs: RuleSet): number[] {
  const years: number[] = [];
  for (let y = yearOf(recognisedOn) + 1; y <= Math.min(yearOf(on), yearOf(validUntil)); y++) {
    const due = reportDue(y, rs);
    if (due < on && due <= validUntil) years.push(y);
  }
  return years;
}

/** The round's window in `year`: applications from `from`, the decision by `decisionBy` (both inclusive). */
export interface RoundWindow {
  readonly from: DayNumber;
  readonly decisionBy: DayNumber;
  /** The day the category standards are public by, where the text dates it: no decision before it. */
  readonly standardsPublishedBy: DayNumber | null;
  readonly clause: string;
}

function monthDay(year: number, md: string): DayNumber {
  const [m, d] = md.split('-').map(Number) as [number, number];
  return dayNumber(year, m, d);
}

/** The round window of `year` in `district` (a district's own dates where its text sets them). */
export function roundWindow(rs: RuleSet, year: number, district: string): RoundWindow {
  const c = rs.mtyx.calendar.districts?.[district] ?? rs.mtyx.calendar;
  return {
    from: monthDay(year, c.applicationsFrom),
    decisionBy: monthDay(year, c.decisionBy),
    standardsPublishedBy: c.standardsPublishedBy === undefined ? null : monthDay(year, c.standardsPublishedBy),
    clause: c.clause,
  };
}
