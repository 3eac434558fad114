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
  heard_at INTEGER NOT NULL,
  rank INTEGER
);
CREATE INDEX IF NOT EXISTS members_by_rank ON members (present, rank DESC, user);
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
  rank: number | null;
};

/** Where a member sorts in a roster: by `rank` (newest activity first), then by id. */
export interface RosterPosition {
  rank: number;
  user: string;
}

export interface RankedMember {
  member: Member;
  rank: number;
}

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
    lastActive: row.last_active,
    ...(row.name === null ? {} : { name: row.name }),
  };
}

/** Typed access to a RoomObject's SQLite tables; a scope nobody joined stores nothing. */
export class RoomStore implements SeqStore {
  private readonly schema: LazySchema;
  private cachedSeq: number | null = null;
  private cachedIndexed: boolean | undefined = undefined;
  private cachedHubs: readonly string[] | undefined = undefined;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "members", SCHEMA, ["rank INTEGER"]);
  }

  held(user: string): HeldUser | null {
    if (!this.schema.exists()) return null;
    const row = this.sql.exec<MemberRow>("SELECT * FROM members WHERE user = ?", user).toArray()[0];
    if (!row) return null;
    return { rev: row.rev, member: row.present ? memberOf(row) : null };
  }

  /**
   * Holds what a push says of `user`. `rank` orders members (newest activity first): their
   * `lastActive`, or their hidden activity; a departed user keeps theirs, so a cursor naming them still works.
   */
  hold(user: string, member: Member | null, rev: number, heardAt: number, rank: number | null): void {
    this.schema.ensure();
    this.sql.exec(
      `INSERT INTO members (user, rev, present, status, text, last_active, name, heard_at, rank)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user) DO UPDATE SET rev = excluded.rev, present = excluded.present, status = excluded.status, text = excluded.text,
         last_active = excluded.last_active, name = excluded.name, heard_at = excluded.heard_at, rank = COALESCE(excluded.rank, members.rank)`,
      user,
      rev,
      member ? 1 : 0,
      member?.status ?? null,
      member?.text ?? null,
      member?.lastActive ?? null,
      member?.name ?? null,
      heardAt,
      rank,
    );
  }

  /** Every member, newest activity first. */
  all(): Member[] {
    if (!this.schema.exists()) return [];
    return this.sql.exec<MemberRow>("SELECT * FROM members WHERE present = 1 ORDER BY rank DESC, user ASC").toArray().map(memberOf);
  }

  /**
   * Up to `limit` members newest activity first, leaving out `hidden`, after the member `cursor`
   * names; null when that is not a member the viewer may see (gone, hidden, or never one), so a
   * cursor tells nothing about anyone else.
   */
  page(limit: number, cursor: MembersCursor | null, hidden: ReadonlySet<string>): Member[] | null {
    if (cursor === null) return this.ranked(limit, null, hidden).map((entry) => entry.member);
    const after = this.position(cursor.user, hidden);
    return after && this.ranked(limit, after, hidden).map((entry) => entry.member);
  }

  /** Where a member the viewer may see sorts (their rank, kept server-side); null for anyone else. */
  position(user: string, hidden: ReadonlySet<string>): RosterPosition | null {
    if (!this.schema.exists() || hidden.has(user)) return null;
    const row = this.sql.exec<{ rank: number | null }>("SELECT rank FROM members WHERE user = ? AND present = 1", user).toArray()[0];
    return row ? { rank: row.rank ?? 0, user } : null;
  }

  /** Up to `limit` members newest activity first after `after` (null: from the start), leaving out `hidden`, with their ranks. */
  ranked(limit: number, after: RosterPosition | null, hidden: ReadonlySet<string>): RankedMember[] {
    if (!this.schema.exists()) return [];
    const take = limit + hidden.size;
    const rows =
      after === null
        ? this.sql.exec<MemberRow>("SELECT * FROM members WHERE present = 1 ORDER BY rank DESC, user ASC LIMIT ?", take).toArray()
        : this.sql
            .exec<MemberRow>(`SELECT * FROM members WHERE present = 1 AND (rank < ? OR (rank = ? AND user > ?)) ORDER BY rank DESC, user ASC LIMIT ?`, after.rank, after.rank, after.user, take)
            .toArray();
    return rows.filter((row) => !hidden.has(row.user)).slice(0, limit).map((row) => ({ member: memberOf(row), rank: row.rank ?? 0 }));
  }

  /** Members by status, leaving out `hidden` (the members who blocked the viewer). */
  counts(hidden: ReadonlySet<string>): Record<MemberStatus, number> {
    const counts: Record<MemberStatus, number> = { online: 0, away: 0, busy: 0 };
    if (!this.schema.exists()) return counts;
    for (const row of this.sql.exec<{ status: MemberStatus; n: number }>(
      "SELECT status, COUNT(*) AS n FROM members WHERE present = 1 GROUP BY status",
    )) {
      counts[row.status] = row.n;
    }
    for (const user of hidden) {
      const member = this.held(user)?.member;
      if (member) counts[member.status] -= 1;
    }
    return counts;
  }

  /** Up to `limit` members not heard about since `before`. */
  silentSince(before: number, limit: number): string[] {
    if (!this.schema.exists()) return [];
    return this.sql
      .exec<{ user: string }>("SELECT user FROM members WHERE present = 1 AND heard_at <= ? LIMIT ?", before, limit)
      .toArray()
      .map((row) => row.user);
  }

  /** Up to `limit` members by id after `after` (null: from the first). */
  presentAfter(after: string | null, limit: number): string[] {
    if (!this.schema.exists()) return [];
    return this.sql
      .exec<{ user: string }>("SELECT user FROM members WHERE present = 1 AND user > ? ORDER BY user LIMIT ?", after ?? "", limit)
      .toArray()
      .map((row) => row.user);
  }

  /** Whether anyone is a member now. */
  holdsMembers(): boolean {
    return this.schema.exists() && this.sql.exec("SELECT 1 FROM members WHERE present = 1 LIMIT 1").toArray().length > 0;
  }

  forgetDepartedBefore(before: number): void {
    if (!this.schema.exists()) return;
    this.sql.exec("DELETE FROM members WHERE present = 0 AND heard_at < ?", before);
  }

  oldestDepartedAt(): number | null {
    if (!this.schema.exists()) return null;
    return this.sql.exec<{ t: number | null }>("SELECT MIN(heard_at) AS t FROM members WHERE present = 0").one().t;
  }

  /** Whether the room holds no one, present or remembered. */
  holdsNoOne(): boolean {
    return !this.schema.exists() || this.sql.exec("SELECT 1 FROM members LIMIT 1").toArray().length === 0;
  }

  /** Whether the service's scope index lists this room (read once per wake-up). */
  indexed(): boolean {
    this.cachedIndexed ??= this.schema.exists() && this.sql.exec("SELECT 1 FROM meta WHERE key = 'indexed'").toArray().length > 0;
    return this.cachedIndexed;
  }

  setIndexed(indexed: boolean): void {
    this.schema.ensure();
    if (indexed) this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('indexed', '1')");
    else this.sql.exec("DELETE FROM meta WHERE key = 'indexed'");
    this.cachedIndexed = indexed;
  }

  /** Every member, as a push of what the room holds (a watch hub's copy starts from it). */
  memberPushes(): { user: string; member: Member; rev: number; rank?: number }[] {
    if (!this.schema.exists()) return [];
    return this.sql
      .exec<MemberRow>("SELECT * FROM members WHERE present = 1")
      .toArray()
      .map((row) => ({ user: row.user, member: memberOf(row), rev: row.rev, ...(row.rank === null ? {} : { rank: row.rank }) }));
  }

  /** The watch hubs that follow this shard (read once per wake-up). */
  hubs(): readonly string[] {
    this.cachedHubs ??= this.schema.exists()
      ? this.sql.exec<{ key: string }>("SELECT key FROM meta WHERE key LIKE 'hub:%'").toArray().map((row) => row.key.slice(4))
      : [];
    return this.cachedHubs;
  }

  addHub(hub: string): void {
    if (this.hubs().includes(hub)) return;
    this.schema.ensure();
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", `hub:${hub}`);
    this.cachedHubs = [...this.hubs(), hub];
  }

  dropHub(hub: string): void {
    this.sql.exec("DELETE FROM meta WHERE key = ?", `hub:${hub}`);
    this.cachedHubs = this.hubs().filter((held) => held !== hub);
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
