import type { Message } from "../protocol/messages";
import { LazySchema } from "../storage/schema";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  id TEXT PRIMARY KEY,
  sender TEXT NOT NULL,
  sender_scopes TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  delivered INTEGER NOT NULL,
  read INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_by_time ON inbox (sent_at, id);
CREATE TABLE IF NOT EXISTS sent_ids (
  sender TEXT NOT NULL,
  client_id TEXT NOT NULL,
  answer TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (sender, client_id)
);
CREATE INDEX IF NOT EXISTS sent_ids_by_time ON sent_ids (at);
`;

type InboxRow = { id: string; sender: string; sender_scopes: string; body: string; sent_at: number; delivered: number; read: number };

/** A stored message, whether a device of the receiver has had it, and the scopes its sender could read when sending. */
export interface StoredMessage extends Message {
  delivered: boolean;
  senderScopes: string[];
}

function messageOf(row: InboxRow): StoredMessage {
  return {
    id: row.id,
    from: row.sender,
    body: JSON.parse(row.body) as unknown,
    sentAt: row.sent_at,
    read: row.read === 1,
    delivered: row.delivered === 1,
    senderScopes: JSON.parse(row.sender_scopes) as string[],
  };
}

/**
 * A user's stored messages: every message is kept until a device acknowledges it (so an online
 * delivery lost with a socket comes again), and the answers to senders' own ids for a day, so a
 * retried send is not delivered twice.
 */
export class Inbox {
  private readonly schema: LazySchema;
  /** How many messages are stored: counted once per object start, then kept in step (a count reads every row). */
  private stored: number | null = null;

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "inbox", SCHEMA);
  }

  count(): number {
    this.stored ??= this.schema.exists() ? this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox").one().n : 0;
    return this.stored;
  }

  store(message: StoredMessage): void {
    const before = this.count();
    this.schema.ensure();
    this.sql.exec(
      "INSERT INTO inbox (id, sender, sender_scopes, body, sent_at, delivered, read) VALUES (?, ?, ?, ?, ?, ?, ?)",
      message.id,
      message.from,
      JSON.stringify(message.senderScopes),
      JSON.stringify(message.body),
      message.sentAt,
      message.delivered ? 1 : 0,
      message.read ? 1 : 0,
    );
    this.stored = before + 1;
  }

  /** Up to `limit` messages, oldest first, after the one with id `after`. */
  page(limit: number, after: string | null): StoredMessage[] {
    if (!this.schema.exists()) return [];
    const from = after === null ? undefined : this.sql.exec<{ sent_at: number }>("SELECT sent_at FROM inbox WHERE id = ?", after).toArray()[0];
    const rows = from
      ? this.sql.exec<InboxRow>("SELECT * FROM inbox WHERE sent_at > ? OR (sent_at = ? AND id > ?) ORDER BY sent_at, id LIMIT ?", from.sent_at, from.sent_at, after, limit)
      : this.sql.exec<InboxRow>("SELECT * FROM inbox ORDER BY sent_at, id LIMIT ?", limit);
    return rows.toArray().map(messageOf);
  }

  /** The messages with these ids (those still stored). */
  find(ids: readonly string[]): StoredMessage[] {
    if (!this.schema.exists()) return [];
    return ids.flatMap((id) => this.sql.exec<InboxRow>("SELECT * FROM inbox WHERE id = ?", id).toArray().map(messageOf));
  }

  /** Marks messages delivered or read; returns those that were not already. */
  mark(ids: readonly string[], state: "delivered" | "read"): StoredMessage[] {
    const changed = this.find(ids).filter((message) => (state === "read" ? !message.read : !message.delivered));
    for (const { id } of changed) this.sql.exec(`UPDATE inbox SET ${state} = 1${state === "read" ? ", delivered = 1" : ""} WHERE id = ?`, id);
    return changed;
  }

  /** Removes acknowledged messages; returns those that were stored. */
  remove(ids: readonly string[]): StoredMessage[] {
    const found = this.find(ids);
    for (const { id } of found) this.sql.exec("DELETE FROM inbox WHERE id = ?", id);
    if (this.stored !== null) this.stored -= found.length;
    return found;
  }

  /** The answer given to `sender`'s message with their own id `clientId`, if any since `since`. */
  answered(sender: string, clientId: string, since: number): string | null {
    if (!this.schema.exists()) return null;
    const row = this.sql.exec<{ answer: string; at: number }>("SELECT answer, at FROM sent_ids WHERE sender = ? AND client_id = ?", sender, clientId).toArray()[0];
    return row && row.at >= since ? row.answer : null;
  }

  remember(sender: string, clientId: string, answer: string, at: number): void {
    this.schema.ensure();
    this.sql.exec("INSERT OR REPLACE INTO sent_ids (sender, client_id, answer, at) VALUES (?, ?, ?, ?)", sender, clientId, answer, at);
  }

  /** Drops messages sent before `messagesBefore` and answers given before `answersBefore`. */
  expire(messagesBefore: number, answersBefore: number): void {
    if (!this.schema.exists()) return;
    this.sql.exec("DELETE FROM inbox WHERE sent_at < ?", messagesBefore);
    this.sql.exec("DELETE FROM sent_ids WHERE at < ?", answersBefore);
    this.stored = null;
  }

  /** When the oldest stored message and the oldest remembered answer were made. */
  oldest(): { message: number | null; answer: number | null } {
    if (!this.schema.exists()) return { message: null, answer: null };
    return {
      message: this.sql.exec<{ t: number | null }>("SELECT MIN(sent_at) AS t FROM inbox").one().t,
      answer: this.sql.exec<{ t: number | null }>("SELECT MIN(at) AS t FROM sent_ids").one().t,
    };
  }

  erase(): void {
    this.sql.exec("DROP TABLE IF EXISTS inbox");
    this.sql.exec("DROP TABLE IF EXISTS sent_ids");
    this.schema.forget();
    this.stored = 0;
  }
}
