import { LazySchema } from "../storage/schema";
import { historyPoints, MINUTE_MS, minuteOf, SCOPE_HISTORY_MINUTES, type HistoryPoint, type HistoryStep, type MinuteRow, type StatusCounts } from "./scopePoints";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS history_minutes (
  minute INTEGER PRIMARY KEY,
  online INTEGER NOT NULL,
  away INTEGER NOT NULL,
  busy INTEGER NOT NULL
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

  /** The counts now; a row is written only when they differ from the last ones recorded. */
  record(counts: StatusCounts, now: number): void {
    const last = this.last ?? this.latest();
    if (last && last.online === counts.online && last.away === counts.away && last.busy === counts.busy) return;
    this.schema.ensure();
    const minute = minuteOf(now);
    this.sql.exec("INSERT OR REPLACE INTO history_minutes (minute, online, away, busy) VALUES (?, ?, ?, ?)", minute, counts.online, counts.away, counts.busy);
    this.sql.exec("DELETE FROM history_minutes WHERE minute <= ?", minute - SCOPE_HISTORY_MINUTES);
    this.last = { ...counts };
  }

  points(from: number, to: number, step: HistoryStep): HistoryPoint[] {
    if (!this.schema.exists()) return historyPoints([], null, from, to, step);
    const first = minuteOf(from) - (minuteOf(from) % (step / 60));
    const rows = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute >= ? AND minute <= ? ORDER BY minute", first, minuteOf(to)).toArray();
    const before = this.sql.exec<MinuteRow>("SELECT * FROM history_minutes WHERE minute < ? ORDER BY minute DESC LIMIT 1", first).toArray()[0] ?? null;
    return historyPoints(rows, before, from, to, step);
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
    return this.sql.exec<MinuteRow>("SELECT * FROM history_minutes ORDER BY minute DESC LIMIT 1").toArray()[0] ?? null;
  }
}
