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
    this.sql.exec("DELETE FROM history_minutes WHERE minute <= ?", minute - SCOPE_HISTORY_MINUTES);
    this.last = { ...counts };
  }

  points(from: number, to: number, step: HistoryStep): HistoryPoint[] {
    if (!this.schema.exists()) return historyPoints([], null, from, to, step);
    const first = minuteOf(from) - (minuteOf(from) % (step / 60));
    const rows = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute >= ? AND minute <= ? ORDER BY minute", first, minuteOf(to)).toArray();
    const before = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute < ? ORDER BY minute DESC LIMIT 1", first).toArray()[0];
    return historyPoints(rows, before ? endOf(before) : null, from, to, step);
  }

  /** Drops rows older than 7 days; answers when to prune next (null: nothing left), at most hourly so a quiet scope is not woken each minute. */
  prune(now: number): number | null {
    if (!this.schema.exists()) return null;
    this.sql.exec("DELETE FROM history_minutes WHERE minute <= ?", minuteOf(now) - SCOPE_HISTORY_MINUTES);
    const oldest = this.sql.exec<{ minute: number | null }>("SELECT MIN(minute) AS minute FROM history_minutes").one().minute;
    return oldest === null ? null : (oldest + SCOPE_HISTORY_MINUTES) * MINUTE_MS + PRUNE_EVERY_MS;
  }

  private latest(): StatusCounts | null {
    if (!this.schema.exists()) return null;
    const row = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes ORDER BY minute DESC LIMIT 1").toArray()[0];
    return row ? endOf(row) : null;
  }
}
