import { MAX_SUBSCRIPTIONS } from "../protocol/constants";
import { LazySchema } from "../storage/schema";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscriptions (
  device TEXT NOT NULL,
  user TEXT NOT NULL,
  PRIMARY KEY (device, user)
);
CREATE INDEX IF NOT EXISTS subscriptions_by_user ON subscriptions (user);
`;

/**
 * The users each of this user's devices follows by subscription. They belong to the device's
 * socket: its leaving ends them (the SDK subscribes again on its next connection).
 */
export class Subscriptions {
  private readonly schema: LazySchema;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "subscriptions", SCHEMA);
  }

  /** Adds `users` to what `device` follows; false (nothing added) when that would pass `MAX_SUBSCRIPTIONS`. */
  add(device: string, users: readonly string[]): boolean {
    const held = new Set(this.of(device));
    const added = [...new Set(users)].filter((user) => !held.has(user));
    if (held.size + added.length > MAX_SUBSCRIPTIONS) return false;
    if (added.length > 0) this.schema.ensure();
    for (const user of added) this.sql.exec("INSERT INTO subscriptions (device, user) VALUES (?, ?)", device, user);
    return true;
  }

  remove(device: string, users: readonly string[]): void {
    if (!this.schema.exists()) return;
    for (const user of users) this.sql.exec("DELETE FROM subscriptions WHERE device = ? AND user = ?", device, user);
  }

  of(device: string): string[] {
    if (!this.schema.exists()) return [];
    return this.sql.exec<{ user: string }>("SELECT user FROM subscriptions WHERE device = ?", device).toArray().map((row) => row.user);
  }

  /** The devices following `user`. */
  following(user: string): string[] {
    if (!this.schema.exists()) return [];
    return this.sql.exec<{ device: string }>("SELECT device FROM subscriptions WHERE user = ?", user).toArray().map((row) => row.device);
  }

  /** Ends what `device` followed: a new socket of it starts with no subscriptions. */
  dropDevice(device: string): void {
    if (this.schema.exists()) this.sql.exec("DELETE FROM subscriptions WHERE device = ?", device);
  }

  /** Ends what the devices not in `live` followed (they left). */
  keepOnly(live: ReadonlySet<string>): void {
    if (!this.schema.exists()) return;
    const devices = this.sql.exec<{ device: string }>("SELECT DISTINCT device FROM subscriptions").toArray().map((row) => row.device);
    for (const device of devices) if (!live.has(device)) this.sql.exec("DELETE FROM subscriptions WHERE device = ?", device);
  }

  erase(): void {
    this.sql.exec("DROP TABLE IF EXISTS subscriptions");
    this.schema.forget();
  }
}
