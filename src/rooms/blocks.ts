import { LazySchema } from "../storage/schema";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS blocks (
  blocker TEXT NOT NULL,
  viewer TEXT NOT NULL,
  PRIMARY KEY (blocker, viewer)
);
CREATE INDEX IF NOT EXISTS blocks_by_viewer ON blocks (viewer);
`;

/**
 * Which members blocked which viewers, so a blocked viewer's roster never shows the blocker. A
 * member's PresenceObject sends its whole list when it changed; only the difference is written. A
 * member keeps their blocks while the room remembers them (departed too), so their leaving or coming
 * back tells the viewers they blocked nothing. Looked up by index; a room where nobody blocked
 * anyone asks nothing.
 */
export class RoomBlocks {
  private readonly schema: LazySchema;
  private any: boolean | null = null;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "blocks", SCHEMA);
  }

  hasAny(): boolean {
    this.any ??= this.schema.exists() && this.sql.exec("SELECT 1 FROM blocks LIMIT 1").toArray().length > 0;
    return this.any;
  }

  /** The members `viewer` may not see (none for a service caller, whose id is ""). */
  hiddenFrom(viewer: string): ReadonlySet<string> {
    if (!this.hasAny()) return new Set();
    return new Set(this.sql.exec<{ blocker: string }>("SELECT blocker FROM blocks WHERE viewer = ?", viewer).toArray().map((row) => row.blocker));
  }

  /** The viewers any of `blockers` blocked. */
  viewersBlockedBy(blockers: Iterable<string>): Set<string> {
    const viewers = new Set<string>();
    if (!this.hasAny()) return viewers;
    for (const blocker of blockers) for (const viewer of this.of(blocker)) viewers.add(viewer);
    return viewers;
  }

  /** Whom `blocker` blocked. */
  of(blocker: string): string[] {
    if (!this.hasAny()) return [];
    return this.sql.exec<{ viewer: string }>("SELECT viewer FROM blocks WHERE blocker = ?", blocker).toArray().map((row) => row.viewer);
  }

  /** Replaces `blocker`'s list; returns the viewers whose sight of them changed. */
  replace(blocker: string, viewers: readonly string[]): Set<string> {
    const held = new Set(this.hasAny() ? this.of(blocker) : []);
    const wanted = new Set(viewers);
    const changed = new Set<string>();
    for (const viewer of held) {
      if (wanted.has(viewer)) continue;
      this.sql.exec("DELETE FROM blocks WHERE blocker = ? AND viewer = ?", blocker, viewer);
      changed.add(viewer);
    }
    for (const viewer of wanted) {
      if (held.has(viewer)) continue;
      this.schema.ensure();
      this.sql.exec("INSERT INTO blocks (blocker, viewer) VALUES (?, ?)", blocker, viewer);
      changed.add(viewer);
    }
    if (changed.size > 0) this.any = null;
    return changed;
  }

  /** Forgets the blocks of users the room no longer remembers. */
  prune(): void {
    if (!this.hasAny()) return;
    this.sql.exec("DELETE FROM blocks WHERE blocker NOT IN (SELECT user FROM members)");
    this.any = null;
  }
}
