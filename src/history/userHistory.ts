import type { Visible, VisibleChange } from "../presence/visibleStatus";
import { LazySchema } from "../storage/schema";
import { dayOf, dayReports, splitByDay, USER_HISTORY_DAYS, type DayReport, type DayTotals } from "./onlineDays";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS online_days (
  day INTEGER PRIMARY KEY,
  online INTEGER NOT NULL,
  away INTEGER NOT NULL,
  busy INTEGER NOT NULL
);
`;

/** A user's online, away and busy time per day for 90 days, kept in their own object and written only when their visible status changes. */
export class UserHistory {
  private readonly schema: LazySchema;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "online_days", SCHEMA);
  }

  /** The status that just ended is added to the days it spanned (offline counts nothing). */
  changed(change: VisibleChange): void {
    if (change.previous === "offline" || change.since === 0) return;
    const pieces = splitByDay(change.previous, change.since, change.at, change.at);
    if (pieces.length === 0) return;
    this.schema.ensure();
    for (const { day, online, away, busy } of pieces) {
      this.sql.exec(
        `INSERT INTO online_days (day, online, away, busy) VALUES (?, ?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET online = online + excluded.online, away = away + excluded.away, busy = busy + excluded.busy`,
        day,
        online,
        away,
        busy,
      );
    }
    this.sql.exec("DELETE FROM online_days WHERE day <= ?", dayOf(change.at) - USER_HISTORY_DAYS);
  }

  /** The last `days` days with any time, counting the status held now (`visible`) up to `now`. */
  days(days: number, visible: Visible | null, now: number): DayReport[] {
    const stored = this.schema.exists() ? this.sql.exec<DayTotals>("SELECT * FROM online_days WHERE day > ?", dayOf(now) - days).toArray() : [];
    const ongoing = visible && visible.status !== "offline" && visible.since > 0 ? splitByDay(visible.status, visible.since, now, now) : [];
    return dayReports(stored, ongoing, days, now);
  }

  erase(): void {
    this.sql.exec("DROP TABLE IF EXISTS online_days");
    this.schema.forget();
  }
}
