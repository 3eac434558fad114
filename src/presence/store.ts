import type { Identity } from "../protocol/claims";
import type { Member } from "../protocol/presence";
import type { ManualStatus, UserState } from "./status";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS user_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  user TEXT NOT NULL,
  org TEXT,
  zone TEXT,
  name TEXT,
  manual TEXT,
  text TEXT,
  last_active INTEGER,
  last_seen INTEGER,
  left_at INTEGER,
  cloak_last_active INTEGER,
  cloak_last_seen INTEGER,
  shown TEXT,
  rev INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS room_sync (
  scope TEXT PRIMARY KEY,
  member TEXT,
  rev INTEGER NOT NULL,
  delivered INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_try INTEGER NOT NULL,
  renewed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outgoing_focus (
  device TEXT PRIMARY KEY,
  partner TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS incoming_focus (
  user TEXT NOT NULL,
  device TEXT NOT NULL,
  PRIMARY KEY (user, device)
);
`;

type UserRow = {
  user: string;
  org: string | null;
  zone: string | null;
  name: string | null;
  manual: string | null;
  text: string | null;
  last_active: number | null;
  last_seen: number | null;
  left_at: number | null;
  cloak_last_active: number | null;
  cloak_last_seen: number | null;
  shown: string | null;
  rev: number;
};

type RoomSyncRow = {
  scope: string;
  member: string | null;
  rev: number;
  delivered: number;
  attempts: number;
  next_try: number;
  renewed_at: number;
};

/** Everything the object keeps about its user, loaded and saved as one record. */
export interface StoredUser {
  identity: Identity;
  state: UserState;
  /** The last presence sent to the user's own devices, to send only changes. */
  shown: string | null;
  /** Rises with every change pushed to rooms, so a room can drop stale or repeated pushes. */
  rev: number;
}

/** What a room should hold for this user, and whether it has been told. */
export interface RoomSync {
  scope: string;
  member: Member | null;
  rev: number;
  delivered: boolean;
  attempts: number;
  nextTry: number;
  renewedAt: number;
}

/** Typed access to a PresenceObject's SQLite tables. */
export class PresenceStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  loadUser(): StoredUser | null {
    const row = this.sql.exec<UserRow>("SELECT * FROM user_state WHERE id = 1").toArray()[0];
    if (!row) return null;
    return {
      identity: {
        sub: row.user,
        ...(row.org === null ? {} : { org: row.org }),
        ...(row.zone === null ? {} : { zone: row.zone }),
        ...(row.name === null ? {} : { name: row.name }),
      },
      state: {
        manual: row.manual as ManualStatus | null,
        text: row.text,
        lastActive: row.last_active,
        lastSeen: row.last_seen,
        leftAt: row.left_at,
        cloak: row.cloak_last_seen === null ? null : { lastActive: row.cloak_last_active, lastSeen: row.cloak_last_seen },
      },
      shown: row.shown,
      rev: row.rev,
    };
  }

  saveUser(user: StoredUser): void {
    const { identity, state } = user;
    this.sql.exec(
      `INSERT OR REPLACE INTO user_state
        (id, user, org, zone, name, manual, text, last_active, last_seen, left_at, cloak_last_active, cloak_last_seen, shown, rev)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      identity.sub,
      identity.org ?? null,
      identity.zone ?? null,
      identity.name ?? null,
      state.manual,
      state.text,
      state.lastActive,
      state.lastSeen,
      state.leftAt,
      state.cloak?.lastActive ?? null,
      state.cloak?.lastSeen ?? null,
      user.shown,
      user.rev,
    );
  }

  roomSyncs(): RoomSync[] {
    return this.sql.exec<RoomSyncRow>("SELECT * FROM room_sync").toArray().map((row) => ({
      scope: row.scope,
      member: row.member === null ? null : (JSON.parse(row.member) as Member),
      rev: row.rev,
      delivered: row.delivered === 1,
      attempts: row.attempts,
      nextTry: row.next_try,
      renewedAt: row.renewed_at,
    }));
  }

  /** Writes what a scope should now hold for this user, to be delivered. */
  wantRoomSync(scope: string, member: Member | null, rev: number, now: number): void {
    this.sql.exec(
      `INSERT INTO room_sync (scope, member, rev, delivered, attempts, next_try, renewed_at) VALUES (?, ?, ?, 0, 0, ?, 0)
       ON CONFLICT (scope) DO UPDATE SET member = excluded.member, rev = excluded.rev, delivered = 0, attempts = 0, next_try = excluded.next_try`,
      scope,
      member === null ? null : JSON.stringify(member),
      rev,
      now,
    );
  }

  /** The room has `rev`: a removal is then done with; anything newer written meanwhile stays pending. */
  roomSyncDelivered(scope: string, rev: number, now: number): void {
    this.sql.exec("DELETE FROM room_sync WHERE scope = ? AND rev = ? AND member IS NULL", scope, rev);
    this.sql.exec("UPDATE room_sync SET delivered = 1, attempts = 0, renewed_at = ? WHERE scope = ? AND rev = ?", now, scope, rev);
  }

  roomSyncFailed(scope: string, rev: number, retryAt: number): void {
    this.sql.exec(
      "UPDATE room_sync SET delivered = 0, attempts = attempts + 1, next_try = ? WHERE scope = ? AND rev = ?",
      retryAt,
      scope,
      rev,
    );
  }

  /** Whom this user's `device` has in focus; kept in storage so a device lost without a close still gets its blur sent. */
  focusOf(device: string): string | null {
    return this.sql.exec<{ partner: string }>("SELECT partner FROM outgoing_focus WHERE device = ?", device).toArray()[0]?.partner ?? null;
  }

  setFocus(device: string, partner: string | null): void {
    if (partner === null) this.sql.exec("DELETE FROM outgoing_focus WHERE device = ?", device);
    else this.sql.exec("INSERT OR REPLACE INTO outgoing_focus (device, partner) VALUES (?, ?)", device, partner);
  }

  focusingDevices(): string[] {
    return this.sql.exec<{ device: string }>("SELECT device FROM outgoing_focus").toArray().map((row) => row.device);
  }

  /** Records that `user`'s `device` has focus on this user; returns whether that user had none before. */
  addIncomingFocus(user: string, device: string): boolean {
    const before = this.incomingFocusCount(user);
    this.sql.exec("INSERT OR IGNORE INTO incoming_focus (user, device) VALUES (?, ?)", user, device);
    return before === 0;
  }

  /** Drops one device's focus; returns whether `user` now has no device focused on this user. */
  removeIncomingFocus(user: string, device: string): boolean {
    const before = this.incomingFocusCount(user);
    this.sql.exec("DELETE FROM incoming_focus WHERE user = ? AND device = ?", user, device);
    return before > 0 && this.incomingFocusCount(user) === 0;
  }

  incomingFocusUsers(): string[] {
    return this.sql.exec<{ user: string }>("SELECT DISTINCT user FROM incoming_focus").toArray().map((row) => row.user);
  }

  private incomingFocusCount(user: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM incoming_focus WHERE user = ?", user).one().n;
  }
}
