/** Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC so no time zone shifts a day. */

const toUtc = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return { y, m, d };
};
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const fmt = (date: Date) => date.toISOString().slice(0, 10);

export function addDays(iso: string, days: number): string {
  const { y, m, d } = toUtc(iso);
  return fmt(new Date(Date.UTC(y, m - 1, d + days)));
}

/**
 * Last day of a period of `months` months that starts on `start`: the day before the same
 * day-of-month `months` later (2025-01-15 + 6 months → 2025-07-14). When that day does not exist
 * (2025-08-31 + 6 months), the period runs to the end of the shorter month (2026-02-28).
 */
export function periodLastDay(start: string, months: number): string {
  const { y, m, d } = toUtc(start);
  const total = m - 1 + months;
  const ty = y + Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const dim = daysInMonth(ty, tm);
  if (d > dim) return `${ty}-${String(tm).padStart(2, '0')}-${String(dim).padStart(2, '0')}`;
  return addDays(`${ty}-${String(tm).padStart(2, '0')}-${String(d).padStart(2, '0')}`, -1);
}

export const todayIso = (now: Date = new Date()) => fmt(now);

/** True when [from, to] (to null = open-ended) overlaps the calendar year. */
export function overlapsYear(from: string, to: string | null, year: number): boolean {
  return from <= `${year}-12-31` && (to === null || to >= `${year}-01-01`);
}

/** True when the date lies in [from, to] (to null = open-ended). */
export function within(date: string, from: string, to: string | null): boolean {
  return from <= date && (to === null || date <= to);
}
