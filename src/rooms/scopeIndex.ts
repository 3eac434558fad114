import { LazySchema } from "../storage/schema";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS scope_index (
  scope TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS device_tally (
  user TEXT PRIMARY KEY,
  devices INTEGER NOT NULL
);
`;

/** The most scopes `/v1/stats` lists in one answer. */
export const MAX_INDEXED_LISTED = 1_000;

/**
 * The service's directory, kept by the `global` room: which scopes hold anyone (each room says so
 * when it starts and stops holding members), and how many device sockets each user holds (each
 * user's object says so when the number changes). `/v1/stats` reads both.
 */
export class ScopeIndex {
  private readonly schema: LazySchema;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "scope_index", SCHEMA);
  }

  mark(scope: string, active: boolean): void {
    this.schema.ensure();
    if (active) this.sql.exec("INSERT OR IGNORE INTO scope_index (scope) VALUES (?)", scope);
    else this.sql.exec("DELETE FROM scope_index WHERE scope = ?", scope);
  }

  tally(user: string, devices: number): void {
    this.schema.ensure();
    if (devices > 0) this.sql.exec("INSERT OR REPLACE INTO device_tally (user, devices) VALUES (?, ?)", user, devices);
    else this.sql.exec("DELETE FROM device_tally WHERE user = ?", user);
  }

  /** Scopes in name order (at most `MAX_INDEXED_LISTED`, and whether there are more) and the devices connected now. */
  read(): { scopes: string[]; more: boolean; devices: number } {
    if (!this.schema.exists()) return { scopes: [], more: false, devices: 0 };
    const scopes = this.sql.exec<{ scope: string }>("SELECT scope FROM scope_index ORDER BY scope LIMIT ?", MAX_INDEXED_LISTED + 1).toArray().map((row) => row.scope);
    const devices = this.sql.exec<{ n: number | null }>("SELECT SUM(devices) AS n FROM device_tally").one().n ?? 0;
    return { scopes: scopes.slice(0, MAX_INDEXED_LISTED), more: scopes.length > MAX_INDEXED_LISTED, devices };
  }
}
