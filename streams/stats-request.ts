import type { Replication, RequestInput } from './types.js';

/** The three stats endpoints take the same filter: a date range in the company's time zone. */
export function statsRequest() {
  return ({ window }: RequestInput) => ({ body: { filter: { fromDate: window?.from, toDate: window?.to } } });
}

/** Stats per calendar month: the same windows every run, the current month re-read and replaced. */
export const MONTHLY_STATS: Replication = {
  kind: 'date_windows',
  granularity: 'date',
  lookbackDays: 7,
  maxWindowDays: 31,
  upperBound: 'today',
  alignToMonths: true,
  windowColumn: 'from_date',
};
