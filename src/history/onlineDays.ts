import type { MemberStatus } from "../protocol/presence";

/**
 * A user's online time per day (UTC): pure functions that split an interval of one status over the
 * days it spans and report the days asked for.
 */

export const DAY_MS = 86_400_000;
/** How long a user's daily totals are kept. */
export const USER_HISTORY_DAYS = 90;

/** Milliseconds in each counted status on one day (epoch day: ms / 86,400,000). */
export type DayTotals = {
  day: number;
  online: number;
  away: number;
  busy: number;
};

/** One day as the API shows it: the date and whole seconds. */
export interface DayReport {
  date: string;
  online: number;
  away: number;
  busy: number;
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** `status` held from `from` to `to` (epoch ms), as time per day; nothing before the kept window. */
export function splitByDay(status: MemberStatus, from: number, to: number, now: number): DayTotals[] {
  const start = Math.max(from, (dayOf(now) - USER_HISTORY_DAYS + 1) * DAY_MS);
  const pieces: DayTotals[] = [];
  for (let day = dayOf(start); day * DAY_MS < to; day += 1) {
    const ms = Math.min(to, (day + 1) * DAY_MS) - Math.max(start, day * DAY_MS);
    if (ms > 0) pieces.push({ day, online: 0, away: 0, busy: 0, [status]: ms });
  }
  return pieces;
}

/**
 * The last `days` days (today included) that have any time, oldest first: the stored totals plus the
 * status held right now since it began (`ongoing`, not yet written).
 */
export function dayReports(stored: readonly DayTotals[], ongoing: DayTotals[], days: number, now: number): DayReport[] {
  const first = dayOf(now) - days + 1;
  const totals = new Map<number, DayTotals>();
  for (const piece of [...stored, ...ongoing]) {
    if (piece.day < first) continue;
    const held = totals.get(piece.day) ?? { day: piece.day, online: 0, away: 0, busy: 0 };
    totals.set(piece.day, { day: piece.day, online: held.online + piece.online, away: held.away + piece.away, busy: held.busy + piece.busy });
  }
  return [...totals.values()]
    .filter((day) => day.online + day.away + day.busy >= 1_000)
    .sort((a, b) => a.day - b.day)
    .map((day) => ({
      date: new Date(day.day * DAY_MS).toISOString().slice(0, 10),
      online: Math.round(day.online / 1_000),
      away: Math.round(day.away / 1_000),
      busy: Math.round(day.busy / 1_000),
    }));
}
