import { LazySchema } from "../storage/schema";
import { endOf, historyPoints, MINUTE_MS, minuteOf, SCOPE_HISTORY_MINUTES, type HistoryPoint, type HistoryStep, type MinuteRow, type StatusCounts } from "./scopePoints";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS history_minutes (
  minute INTEGER PRIMARY KEY,
  online INTEGER NOT NULL,
  away INTEGER NOT NULL,
  busy INTEGER NOT NULL,
  end_online INTEGER NOT NULL,
  end_away INTEGER NOT NULL,
  end_busy INTEGER NOT NULL
);
`;

const PRUNE_EVERY_MS = 60 * MINUTE_MS;

/**
 * A room's counts per minute for 7 days: one row per minute in which they changed (at most 10,080),
 * written on change and pruned as it writes; the room's alarm prunes a scope gone quiet.
 */
export class ScopeHistory {
  private readonly schema: LazySchema;
  private last: StatusCounts | null = null;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "history_minutes", SCHEMA);
  }

  /** The counts now; a row is written only when they differ from the last ones recorded. A minute's most starts from the counts it began with. */
  record(counts: StatusCounts, now: number): void {
    const last = this.last ?? this.latest() ?? { online: 0, away: 0, busy: 0 };
    if (last.online === counts.online && last.away === counts.away && last.busy === counts.busy) return;
    this.schema.ensure();
    const minute = minuteOf(now);
    this.sql.exec(
      `INSERT INTO history_minutes (minute, online, away, busy, end_online, end_away, end_busy) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute) DO UPDATE SET online = MAX(online, excluded.end_online), away = MAX(away, excluded.end_away), busy = MAX(busy, excluded.end_busy),
         end_online = excluded.end_online, end_away = excluded.end_away, end_busy = excluded.end_busy`,
      minute,
      Math.max(last.online, counts.online),
      Math.max(last.away, counts.away),
      Math.max(last.busy, counts.busy),
      counts.online,
      counts.away,
      counts.busy,
    );
    this.dropBefore(minute - SCOPE_HISTORY_MINUTES + 1);
    this.last = { ...counts };
  }

  points(from: number, to: number, step: HistoryStep): HistoryPoint[] {
    if (!this.schema.exists()) return historyPoints([], null, from, to, step);
    const first = minuteOf(from) - (minuteOf(from) % (step / 60));
    const rows = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute >= ? AND minute <= ? ORDER BY minute", first, minuteOf(to)).toArray();
    const before = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute < ? ORDER BY minute DESC LIMIT 1", first).toArray()[0];
    return historyPoints(rows, before ? endOf(before) : null, from, to, step);
  }

  /**
   * Drops rows older than 7 days; answers when to prune next (null: nothing left), at most hourly so
   * a quiet scope is not woken each minute (while it has members, their leases wake it anyway).
   */
  prune(now: number): number | null {
    if (!this.schema.exists()) return null;
    this.dropBefore(minuteOf(now) - SCOPE_HISTORY_MINUTES + 1);
    const rows = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes ORDER BY minute LIMIT 2").toArray();
    const [oldest] = rows;
    if (!oldest) return null;
    // Only the counts carried into the week are left, and they are zero: the same as no history.
    if (rows.length === 1 && oldest.end_online + oldest.end_away + oldest.end_busy === 0) {
      this.sql.exec("DELETE FROM history_minutes");
      this.last = null;
      return null;
    }
    return (oldest.minute + SCOPE_HISTORY_MINUTES) * MINUTE_MS + PRUNE_EVERY_MS;
  }

  /**
   * Drops the rows before `first`, keeping the counts they carry into it: the last of them moves to
   * `first` (as its end counts), so a scope whose counts held for over a week still reads them.
   */
  private dropBefore(first: number): void {
    const carried = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute < ? ORDER BY minute DESC LIMIT 1", first).toArray()[0];
    if (!carried) return;
    this.sql.exec("DELETE FROM history_minutes WHERE minute < ?", first);
    this.sql.exec(
      "INSERT OR IGNORE INTO history_minutes (minute, online, away, busy, end_online, end_away, end_busy) VALUES (?, ?, ?, ?, ?, ?, ?)",
      first,
      carried.end_online,
      carried.end_away,
      carried.end_busy,
      carried.end_online,
      carried.end_away,
      carried.end_busy,
    );
  }

  private latest(): StatusCounts | null {
    if (!this.schema.exists()) return null;
    const row = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes ORDER BY minute DESC LIMIT 1").toArray()[0];
    return row ? endOf(row) : null;
  }
}
