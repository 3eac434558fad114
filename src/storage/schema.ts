/**
 * A table created on the first write, not on the first read: an object that is only ever read
 * (a user who never connected, a scope nobody joined) keeps no storage at all.
 */
export class LazySchema {
  private created = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly table: string,
    private readonly ddl: string,
  ) {}

  /** Whether the table exists; once it does, this costs no query. */
  exists(): boolean {
    if (!this.created) {
      this.created = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", this.table).toArray().length > 0;
    }
    return this.created;
  }

  /** The tables were dropped. */
  forget(): void {
    this.created = false;
  }

  /** Creates the tables before a write. */
  ensure(): void {
    if (this.exists()) return;
    this.sql.exec(this.ddl);
    this.created = true;
  }
}
