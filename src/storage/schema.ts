/**
 * A table created on the first write, not on the first read: an object that is only ever read
 * (a user who never connected, a scope nobody joined) keeps no storage at all.
 */
export class LazySchema {
  private created = false;

  /** `added`: columns added to `table` since it was first made, as `name TYPE`; a table made before gets them on first use. */
  constructor(
    private readonly sql: SqlStorage,
    private readonly table: string,
    private readonly ddl: string,
    private readonly added: readonly string[] = [],
  ) {}

  /** Whether the table exists; once it does, this costs no query. */
  exists(): boolean {
    if (!this.created) {
      this.created = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", this.table).toArray().length > 0;
      if (this.created) this.addColumns();
    }
    return this.created;
  }

  private addColumns(): void {
    if (this.added.length === 0) return;
    const present = new Set(this.sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${this.table}')`).toArray().map((row) => row.name));
    for (const column of this.added) {
      if (!present.has(column.split(" ")[0] ?? "")) this.sql.exec(`ALTER TABLE ${this.table} ADD COLUMN ${column}`);
    }
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
