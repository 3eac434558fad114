import type { Member, MemberStatus } from "../protocol/presence";
import { LazySchema } from "../storage/schema";
import type { MembersCursor } from "./cursor";
import type { SeqStore } from "./fanout";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS members (
  user TEXT PRIMARY KEY,
  rev INTEGER NOT NULL,
  present INTEGER NOT NULL,
  status TEXT,
  text TEXT,
  last_active INTEGER,
  name TEXT,
  heard_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS members_by_activity ON members (present, last_active DESC, user);
CREATE INDEX IF NOT EXISTS members_by_heard ON members (present, heard_at);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

type MemberRow = {
  user: string;
  rev: number;
  present: number;
  status: string | null;
  text: string | null;
  last_active: number | null;
  name: string | null;
  heard_at: number;
};

/** A user as the room holds them: a member, or a departed user remembered for their last `rev`. */
export interface HeldUser {
  rev: number;
  member: Member | null;
}

function memberOf(row: MemberRow): Member {
  return {
    user: row.user,
    status: row.status as MemberStatus,
    text: row.text,
    lastActive: row.last_active ?? 0,
    ...(row.name === null ? {} : { name: row.name }),
  };
}

/** Typed access to a RoomObject's SQLite tables; a scope nobody joined stores nothing. */
export class RoomStore implements SeqStore {
  private readonly schema: LazySchema;
  private cachedSeq: number | null = null;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "members", SCHEMA);
  }

  held(user: string): HeldUser | null {
    if (!this.schema.exists()) return null;
    const row = this.sql.exec<MemberRow>("SELECT * FROM members WHERE user = ?", user).toArray()[0];
    if (!row) return null;
    return { rev: row.rev, member: row.present ? memberOf(row) : null };
  }

  hold(user: string, member: Member | null, rev: number, heardAt: number): void {
    this.schema.ensure();
    this.sql.exec(
      `INSERT OR REPLACE INTO members (user, rev, present, status, text, last_active, name, heard_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      user,
      rev,
      member ? 1 : 0,
      member?.status ?? null,
      member?.text ?? null,
      member?.lastActive ?? null,
      member?.name ?? null,
      heardAt,
    );
  }

  /** Every member, newest `lastActive` first. */
  all(): Member[] {
    if (!this.schema.exists()) return [];
    return this.sql.exec<MemberRow>("SELECT * FROM members WHERE present = 1 ORDER BY last_active DESC, user ASC").toArray().map(memberOf);
  }

  /** Members newest `lastActive` first, after `cursor`. */
  page(limit: number, cursor: MembersCursor | null): Member[] {
    if (!this.schema.exists()) return [];
    const rows = cursor
      ? this.sql.exec<MemberRow>(
          `SELECT * FROM members WHERE present = 1 AND (last_active < ? OR (last_active = ? AND user > ?))
           ORDER BY last_active DESC, user ASC LIMIT ?`,
          cursor.lastActive,
          cursor.lastActive,
          cursor.user,
          limit,
        )
      : this.sql.exec<MemberRow>("SELECT * FROM members WHERE present = 1 ORDER BY last_active DESC, user ASC LIMIT ?", limit);
    return rows.toArray().map(memberOf);
  }

  counts(): Record<MemberStatus, number> {
    const counts: Record<MemberStatus, number> = { online: 0, away: 0, busy: 0 };
    if (!this.schema.exists()) return counts;
    for (const row of this.sql.exec<{ status: MemberStatus; n: number }>(
      "SELECT status, COUNT(*) AS n FROM members WHERE present = 1 GROUP BY status",
    )) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  /** Members not heard about since `before`. */
  silentSince(before: number): string[] {
    if (!this.schema.exists()) return [];
    return this.sql
      .exec<{ user: string }>("SELECT user FROM members WHERE present = 1 AND heard_at <= ?", before)
      .toArray()
      .map((row) => row.user);
  }

  oldestHeardAt(): number | null {
    if (!this.schema.exists()) return null;
    return this.sql.exec<{ t: number | null }>("SELECT MIN(heard_at) AS t FROM members WHERE present = 1").one().t;
  }

  forgetDepartedBefore(before: number): void {
    if (!this.schema.exists()) return;
    this.sql.exec("DELETE FROM members WHERE present = 0 AND heard_at < ?", before);
  }

  oldestDepartedAt(): number | null {
    if (!this.schema.exists()) return null;
    return this.sql.exec<{ t: number | null }>("SELECT MIN(heard_at) AS t FROM members WHERE present = 0").one().t;
  }

  /** The room's diff count: what the next watcher's `sync` carries. */
  seq(): number {
    if (this.cachedSeq === null) {
      const row = this.schema.exists() ? this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'seq'").toArray()[0] : undefined;
      this.cachedSeq = Number(row?.value ?? "0");
    }
    return this.cachedSeq;
  }

  setSeq(seq: number): void {
    this.schema.ensure();
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", String(seq));
    this.cachedSeq = seq;
  }
}
