import { LazySchema } from "../storage/schema";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS blocks (
  blocker TEXT NOT NULL,
  viewer TEXT NOT NULL,
  PRIMARY KEY (blocker, viewer)
);
`;

/**
 * Which members blocked which viewers, so a blocked viewer's roster never shows the blocker. Each
 * member's PresenceObject sends its whole list with its pushes; only the difference is written.
 * Kept in memory both ways once read (a roster's blocks are few).
 */
export class RoomBlocks {
  private readonly schema: LazySchema;
  private byBlocker: Map<string, Set<string>> | null = null;
  private readonly byViewer = new Map<string, Set<string>>();

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "blocks", SCHEMA);
  }

  private index(): Map<string, Set<string>> {
    if (this.byBlocker) return this.byBlocker;
    this.byBlocker = new Map();
    const rows = this.schema.exists() ? this.sql.exec<{ blocker: string; viewer: string }>("SELECT blocker, viewer FROM blocks").toArray() : [];
    for (const { blocker, viewer } of rows) this.link(blocker, viewer);
    return this.byBlocker;
  }

  private link(blocker: string, viewer: string): void {
    const viewers = this.byBlocker?.get(blocker) ?? new Set<string>();
    this.byBlocker?.set(blocker, viewers.add(viewer));
    this.byViewer.set(viewer, (this.byViewer.get(viewer) ?? new Set<string>()).add(blocker));
  }

  private unlink(blocker: string, viewer: string): void {
    this.byBlocker?.get(blocker)?.delete(viewer);
    this.byViewer.get(viewer)?.delete(blocker);
  }

  /** The members `viewer` may not see (empty for a service caller, whose id is ""). */
  hiddenFrom(viewer: string): ReadonlySet<string> {
    this.index();
    return this.byViewer.get(viewer) ?? new Set();
  }

  /** The viewers any of `blockers` blocked. */
  viewersBlockedBy(blockers: Iterable<string>): Set<string> {
    const index = this.index();
    const viewers = new Set<string>();
    for (const blocker of blockers) for (const viewer of index.get(blocker) ?? []) viewers.add(viewer);
    return viewers;
  }

  /** Replaces `blocker`'s list; returns the viewers whose sight of them changed. */
  replace(blocker: string, viewers: readonly string[]): Set<string> {
    const held = new Set(this.index().get(blocker) ?? []);
    const wanted = new Set(viewers);
    const changed = new Set<string>();
    for (const viewer of held) {
      if (wanted.has(viewer)) continue;
      this.sql.exec("DELETE FROM blocks WHERE blocker = ? AND viewer = ?", blocker, viewer);
      this.unlink(blocker, viewer);
      changed.add(viewer);
    }
    for (const viewer of wanted) {
      if (held.has(viewer)) continue;
      this.schema.ensure();
      this.sql.exec("INSERT INTO blocks (blocker, viewer) VALUES (?, ?)", blocker, viewer);
      this.link(blocker, viewer);
      changed.add(viewer);
    }
    return changed;
  }
}
