import type { Identity } from "../protocol/claims";
import { LazySchema } from "../storage/schema";
import type { DeviceScopes } from "./deviceScopes";
import type { FocusState } from "./focus";
import type { RoomSync, Shown, UserRecord } from "./record";
import type { LiveDevice, ManualStatus } from "./status";
import type { Audience } from "../protocol/rest";
import { DEFAULT_PRIVACY } from "../visibility/rule";
import { visibleOf, type VisibleStatus } from "./visibleStatus";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS user_record (
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
  rev INTEGER NOT NULL,
  shown TEXT,
  rooms TEXT NOT NULL,
  focus TEXT NOT NULL,
  device_scopes TEXT NOT NULL,
  revoked_before INTEGER,
  until INTEGER,
  visibility TEXT,
  last_seen_audience TEXT,
  blocks_rev INTEGER,
  visible_status TEXT,
  visible_since INTEGER,
  visible_rev INTEGER,
  rest_devices TEXT
);
`;

/** Columns added after the table's first release; a table made before gets them when the object starts. */
const ADDED_COLUMNS = ["until INTEGER", "visibility TEXT", "last_seen_audience TEXT", "blocks_rev INTEGER", "visible_status TEXT", "visible_since INTEGER", "visible_rev INTEGER", "rest_devices TEXT"];

type RecordRow = {
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
  rev: number;
  shown: string | null;
  rooms: string;
  focus: string;
  device_scopes: string;
  revoked_before: number | null;
  until: number | null;
  visibility: Audience | null;
  last_seen_audience: Audience | null;
  blocks_rev: number | null;
  visible_status: VisibleStatus | null;
  visible_since: number | null;
  visible_rev: number | null;
  rest_devices: string | null;
};

function identityOf(row: RecordRow): Identity {
  return {
    sub: row.user,
    ...(row.org === null ? {} : { org: row.org }),
    ...(row.zone === null ? {} : { zone: row.zone }),
    ...(row.name === null ? {} : { name: row.name }),
  };
}

function recordOf(row: RecordRow): UserRecord {
  return {
    identity: identityOf(row),
    state: {
      manual: row.manual as ManualStatus | null,
      text: row.text,
      lastActive: row.last_active,
      lastSeen: row.last_seen,
      leftAt: row.left_at,
      cloak: row.cloak_last_seen === null ? null : { lastActive: row.cloak_last_active, lastSeen: row.cloak_last_seen },
      until: row.until,
    },
    rev: row.rev,
    shown: row.shown === null ? null : (JSON.parse(row.shown) as Shown),
    rooms: JSON.parse(row.rooms) as RoomSync[],
    focus: JSON.parse(row.focus) as FocusState,
    deviceScopes: JSON.parse(row.device_scopes) as DeviceScopes[],
    revokedBefore: row.revoked_before,
    privacy: { visibility: row.visibility ?? DEFAULT_PRIVACY.visibility, lastSeen: row.last_seen_audience ?? DEFAULT_PRIVACY.lastSeen },
    blocksRev: row.blocks_rev ?? 0,
    // A row from before the column: the status last shown, as others saw it.
    visible: {
      status: row.visible_status ?? (row.shown === null ? "offline" : visibleOf((JSON.parse(row.shown) as Shown).status)),
      since: row.visible_since ?? row.last_active ?? 0,
      rev: row.visible_rev ?? row.rev,
    },
    restDevices: row.rest_devices === null ? [] : (JSON.parse(row.rest_devices) as LiveDevice[]),
  };
}

/**
 * A PresenceObject's storage: the whole user record in one row, so an event costs at most one row
 * read (only when the object starts: the record is kept in memory between events) and at most one
 * row written.
 */
export class PresenceStore {
  private readonly schema: LazySchema;
  private cached: UserRecord | null | undefined = undefined;
  /** Storage reads and writes since the object started, for the wake log. */
  readonly counts = { loads: 0, saves: 0 };

  constructor(private readonly sql: SqlStorage) {
    this.schema = new LazySchema(sql, "user_record", SCHEMA, ADDED_COLUMNS);
  }

  load(): UserRecord | null {
    if (this.cached !== undefined) return this.cached;
    this.counts.loads += 1;
    const row = this.schema.exists() ? this.sql.exec<RecordRow>("SELECT * FROM user_record WHERE id = 1").toArray()[0] : undefined;
    this.cached = row ? recordOf(row) : null;
    return this.cached;
  }

  save(record: UserRecord): void {
    this.schema.ensure();
    this.counts.saves += 1;
    const { identity, state } = record;
    this.sql.exec(
      `INSERT OR REPLACE INTO user_record
        (id, user, org, zone, name, manual, text, last_active, last_seen, left_at, cloak_last_active, cloak_last_seen, rev, shown, rooms, focus, device_scopes, revoked_before,
        until, visibility, last_seen_audience, blocks_rev, visible_status, visible_since, visible_rev, rest_devices)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      record.rev,
      record.shown === null ? null : JSON.stringify(record.shown),
      JSON.stringify(record.rooms),
      JSON.stringify(record.focus),
      JSON.stringify(record.deviceScopes),
      record.revokedBefore,
      state.until,
      record.privacy.visibility,
      record.privacy.lastSeen,
      record.blocksRev,
      record.visible.status,
      record.visible.since,
      record.visible.rev,
      record.restDevices.length === 0 ? null : JSON.stringify(record.restDevices),
    );
    this.cached = record;
  }

  /** Forgets everything about the user. */
  erase(): void {
    this.sql.exec("DROP TABLE IF EXISTS user_record");
    this.schema.forget();
    this.cached = null;
  }

  /** Changes the stored record, if there is one. */
  update(change: (record: UserRecord) => UserRecord): void {
    const record = this.load();
    if (record) this.save(change(record));
  }
}
