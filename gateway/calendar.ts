/**
 * Time is the server's: every date a caller gives for something that acts now — a run's or a
 * round's as-of and decision day, a sweep, a revocation's or a filing review's day, a spot-check
 * year, a delivery — is checked against today in China time (UTC+8) before anything happens.
 * A date that would act in the future, or reach back before the programme began, is the caller's
 * mistake: a 400 naming the field, with the range it may take.
 *
 * The programme began with 国市监注发〔2024〕10号 (2024); typing and 名特优新 results are not
 * dated before 2024-01-01. A rehearsal of another date belongs to the what-if tools, never to
 * the serving store.
 */
import { chinaDate, formatIsoDate, parseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';

/** The first day any result of the programme may be dated (国市监注发〔2024〕10号, issued 2024). */
export const PROGRAMME_START = '2024-01-01';

/**
 * How far back an act may be recorded (a revocation, a filing review): a regulator records what
 * it decided within this many days of deciding it. The texts give no figure; this one is ours.
 */
export const BACKDATE_DAYS = 30;

/** Today's date in China, as the gateway's clock says. */
export interface Today {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly year: number;
}

/** Today in China at the instant `at`. */
export function todayAt(at: Date): Today {
  const date = chinaDate(at);
  return { date, year: Number(date.slice(0, 4)) };
}

/**
 * `value` (an ISO date already checked for form) when it lies between `from` and `to` (both
 * inclusive); else INVALID_ARGUMENT naming `field` and the range.
 */
export function dateWithin(value: string, field: string, from: string, to: string, why: string): string {
  parseIsoDate(value, field);
  if (value < from || value > to)
    throw new GetihuError('INVALID_ARGUMENT', `${field}: ${value} is not between ${from} and ${to} (${why})`, { field });
  return value;
}

/** A day on which something of the programme took effect or is decided: from its start to today. */
export function pastOrToday(value: string, field: string, today: Today): string {
  return dateWithin(value, field, PROGRAMME_START, today.date, "a date of the programme, no later than today's date in China");
}

/** The day an act is recorded as done: today, or up to BACKDATE_DAYS before. */
export function actedOn(value: string | undefined, field: string, today: Today): string {
  if (value === undefined) return today.date;
  const earliest = formatIsoDate(parseIsoDate(today.date) - BACKDATE_DAYS);
  return dateWithin(
    value,
    field,
    earliest > PROGRAMME_START ? earliest : PROGRAMME_START,
    today.date,
    `an act is recorded on the day it is done, or up to ${BACKDATE_DAYS} days after`,
  );
}

/** A sweep acts today: the date, when given, must be today's. */
export function sweepDay(value: string | undefined, field: string, today: Today): string {
  if (value === undefined) return today.date;
  return dateWithin(value, field, today.date, today.date, 'a sweep checks the badges as they stand today, in China time');
}

/** A year of the programme that has begun: from 2024 to this year. */
export function programmeYear(value: number, field: string, today: Today): number {
  if (value < Number(PROGRAMME_START.slice(0, 4)) || value > today.year)
    throw new GetihuError(
      'INVALID_ARGUMENT',
      `${field}: ${value} is not between ${PROGRAMME_START.slice(0, 4)} and ${today.year} (a year of the programme that has begun)`,
      { field },
    );
  return value;
}

/** This year, and only this year (a year's draw is made in its year). */
export function currentYear(value: number, field: string, today: Today): number {
  if (value !== today.year)
    throw new GetihuError('INVALID_ARGUMENT', `${field}: ${value} is not this year (${today.year}, in China time)`, { field });
  return value;
}
