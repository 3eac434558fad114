/**
 * A scope's online history as chart points: pure functions over the per-minute rows a room keeps.
 * Rows are written only when the counts change, each with the most of each status during its minute
 * and the counts at its end; a minute without a row holds the end counts of the last minute before
 * it that has one (gaps are filled when read, never by waking up to write).
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

/** One minute (epoch minute: ms / 60,000) in which the counts changed: the most of each during it, and the counts at its end. */
export type MinuteRow = StatusCounts & { minute: number; end_online: number; end_away: number; end_busy: number };

export function endOf(row: MinuteRow): StatusCounts {
  return { online: row.end_online, away: row.end_away, busy: row.end_busy };
}

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
 * `before` holds the counts at the end of the last row earlier than the first minute asked about.
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
      const row = byMinute.get(minute);
      const most = row ?? carried;
      point.online = Math.max(point.online, most.online);
      point.away = Math.max(point.away, most.away);
      point.busy = Math.max(point.busy, most.busy);
      if (row) carried = endOf(row);
    }
    points.push(point);
  }
  return points;
}
