import { MAX_RELATIONS, type RelationsChange } from "../protocol/rest";
import { LazySchema } from "../storage/schema";

/** The users a user shares with (contacts), and the users they blocked. */
export type RelationKind = "contacts" | "blocks";

/** `added`: users newly in the list; `changed`: whether anything was added or removed. */
export type RelationsResult = { ok: true; users: string[]; added: string[]; changed: boolean } | { ok: false; limit: number };

/**
 * A user's contacts and blocks, one row per related user (a change writes only the rows it adds or
 * removes), each list kept in memory once read, so the visibility rule asks it without a query.
 */
export class Relations {
  private readonly schemas: Record<RelationKind, LazySchema>;
  private readonly cached: Partial<Record<RelationKind, Set<string>>> = {};

  constructor(private readonly sql: SqlStorage) {
    this.schemas = {
      contacts: new LazySchema(sql, "contacts", "CREATE TABLE IF NOT EXISTS contacts (user TEXT PRIMARY KEY)"),
      blocks: new LazySchema(sql, "blocks", "CREATE TABLE IF NOT EXISTS blocks (user TEXT PRIMARY KEY)"),
    };
  }

  list(kind: RelationKind): ReadonlySet<string> {
    const cached = this.cached[kind];
    if (cached) return cached;
    const rows = this.schemas[kind].exists() ? this.sql.exec<{ user: string }>(`SELECT user FROM ${kind} ORDER BY user`).toArray() : [];
    const users = new Set(rows.map((row) => row.user));
    this.cached[kind] = users;
    return users;
  }

  has(kind: RelationKind, user: string): boolean {
    return this.list(kind).has(user);
  }

  /** Removes, then adds; refused whole when the list would grow past `MAX_RELATIONS`. */
  change(kind: RelationKind, change: RelationsChange): RelationsResult {
    const users = new Set(this.list(kind));
    const removed = change.remove.filter((user) => users.delete(user));
    const added = [...new Set(change.add)].filter((user) => !users.has(user));
    if (users.size + added.length > MAX_RELATIONS) return { ok: false, limit: MAX_RELATIONS };
    if (removed.length + added.length > 0) this.schemas[kind].ensure();
    for (const user of removed) this.sql.exec(`DELETE FROM ${kind} WHERE user = ?`, user);
    for (const user of added) {
      this.sql.exec(`INSERT INTO ${kind} (user) VALUES (?)`, user);
      users.add(user);
    }
    this.cached[kind] = users;
    return { ok: true, users: [...users].sort(), added, changed: removed.length + added.length > 0 };
  }

  erase(): void {
    for (const kind of ["contacts", "blocks"] as const) {
      this.sql.exec(`DROP TABLE IF EXISTS ${kind}`);
      this.schemas[kind].forget();
      this.cached[kind] = new Set();
    }
  }
}
