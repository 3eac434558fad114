/**
 * A scope's online history as chart points: pure functions over the per-minute rows a room keeps.
 * Rows are written only when the counts change, so a minute without a row holds the counts of the
 * last minute before it that has one (gaps are filled when read, never by waking up to write).
 */

export const MINUTE_MS = 60_000;
/** How long a scope keeps its history: 7 days of minutes. */
export const SCOPE_HISTORY_MINUTES = 7 * 24 * 60;
export const HISTORY_STEPS = [60, 300, 3_600] as const;
export type HistoryStep = (typeof HISTORY_STEPS)[number];

export type StatusCounts = {
  online: number;
  away: number;
  busy: number;
};

/** The counts at the end of one minute (epoch minute: ms / 60,000). */
export type MinuteRow = StatusCounts & { minute: number };

/** One chart point: the start of its step (epoch ms) and the most members of each status in any minute of it. */
export interface HistoryPoint extends StatusCounts {
  t: number;
}

const NONE: StatusCounts = { online: 0, away: 0, busy: 0 };

export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

/**
 * Points from `from` to `to` (epoch ms, `from` rounded down to the step), `step` seconds apart.
 * `before` is the last row earlier than the first minute asked about (what that minute carries on).
 */
export function historyPoints(rows: readonly MinuteRow[], before: StatusCounts | null, from: number, to: number, step: HistoryStep): HistoryPoint[] {
  const stepMinutes = step / 60;
  const first = Math.floor(minuteOf(from) / stepMinutes) * stepMinutes;
  const last = minuteOf(to);
  const byMinute = new Map(rows.map((row) => [row.minute, row]));
  const points: HistoryPoint[] = [];
  let carried: StatusCounts = before ?? NONE;
  for (let start = first; start <= last; start += stepMinutes) {
    const point: HistoryPoint = { t: start * MINUTE_MS, online: 0, away: 0, busy: 0 };
    for (let minute = start; minute < start + stepMinutes && minute <= last; minute += 1) {
      carried = byMinute.get(minute) ?? carried;
      point.online = Math.max(point.online, carried.online);
      point.away = Math.max(point.away, carried.away);
      point.busy = Math.max(point.busy, carried.busy);
    }
    points.push(point);
  }
  return points;
}
