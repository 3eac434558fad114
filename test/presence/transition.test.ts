import { roomOf } from "../../src/rooms/shards";
import { describe, expect, it } from "vitest";
import { newRecord, type UserRecord } from "../../src/presence/record";
import type { LiveDevice } from "../../src/presence/status";
import { LAST_ACTIVE_SAVE_MS, transition, type PresenceEvent, type TransitionInput } from "../../src/presence/transition";

const timers = { awayAfterMs: 10_000, offlineAfterMs: 5_000, leaseMs: 5_000, disconnectGraceMs: 1_000, joinPushDelayMs: 0 };
const T = 1_000_000;
const identity = { sub: "u", org: "acme" };
const device = (id: string, lastActive = T, lastHeard = lastActive): LiveDevice => ({ id, type: "web", connectedAt: T - 100, lastActive, lastHeard, expiresAt: T + 3_600_000 });

/** A user connected on `devices` at T, as the object would hold it. */
function connected(...devices: LiveDevice[]): UserRecord {
  let record: UserRecord | null = null;
  for (const [index, live] of devices.entries()) {
    const step = transition({ user: "u", record, live: devices.slice(0, index + 1), event: { type: "connect", identity, device: live.id, replaced: [] }, now: T, timers });
    record = step.record;
  }
  return record as UserRecord;
}

function run(record: UserRecord | null, live: LiveDevice[], event: PresenceEvent, now = T + 10) {
  return transition({ user: "u", record, live, event, now, timers } satisfies TransitionInput);
}

describe("the presence transition", () => {
  it("creates the record on a first connect, greets the device and pushes the user to every scope", () => {
    const step = run(null, [device("a")], { type: "connect", identity, device: "a", replaced: [] });
    expect(step.changed).toBe(true);
    expect(step.messages).toEqual([{ device: "a", frame: { type: "hello", user: "u", device: "a", presence: step.own } }]);
    expect(step.pushes.map((push) => [push.scope, push.member?.status])).toEqual([["global", "online"], ["org:acme", "online"]]);
    expect(step.record?.rooms.every((room) => room.delivered && room.pushedAt === T + 10)).toBe(true);
    // No heartbeat alarm: the user's `global` shard sweeps them; the next alarm is their turning away.
    expect(step.alarmAt).toBe(T + timers.awayAfterMs);
  });

  it("lets a user who comes online join rosters after JOIN_PUSH_DELAY_MS, with the greeting at once", () => {
    const step = transition({ user: "u", record: null, live: [device("a")], event: { type: "connect", identity, device: "a", replaced: [] }, now: T, timers: { ...timers, joinPushDelayMs: 800 } });
    expect(step.messages.map((m) => m.frame.type)).toEqual(["hello"]);
    expect(step.pushes).toEqual([]);
    expect(step.alarmAt).toBe(T + 800);
  });

  it("stores nothing and sends nothing when someone reads a user who never connected", () => {
    const step = run(null, [], { type: "read" });
    expect(step).toMatchObject({ record: null, changed: false, messages: [], pushes: [], notices: [], alarmAt: null });
    expect(step.others).toEqual({ user: "u", status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] });
  });

  it("turns a status frame into one saved record, a presence frame for every device, and room pushes", () => {
    const live = [device("a"), device("b")];
    const step = run(connected(...live), live, { type: "frame", device: "a", frame: { type: "status", status: "busy", text: "call" } });
    expect(step.changed).toBe(true);
    expect(step.messages.map((m) => [m.device, m.frame.type])).toEqual([["a", "presence"], ["b", "presence"]]);
    expect(step.own).toMatchObject({ status: "busy", text: "call" });
    expect(step.pushes.map((push) => push.member?.status)).toEqual([]); // within a second of the last push: it waits
    expect(step.record?.rooms.every((room) => room.member?.status === "busy" && !room.delivered && room.nextTry === T + 1_000)).toBe(true);
  });

  it("saves nothing for activity within a minute of the stored lastActive, and saves it after a minute", () => {
    const record = connected(device("a"));
    const soon = run(record, [device("a", T + 3_000)], { type: "frame", device: "a", frame: { type: "activity" } }, T + 3_000);
    expect(soon.changed).toBe(false);
    expect(soon.pushes).toEqual([]);
    const later = T + LAST_ACTIVE_SAVE_MS;
    const late = run(record, [device("a", later)], { type: "frame", device: "a", frame: { type: "activity" } }, later);
    expect(late.record?.state.lastActive).toBe(later);
  });

  it("keeps the status through the grace window after the last device leaves, then goes offline seen at the leave", () => {
    const record = connected(device("a"));
    const left = run(record, [], { type: "leave", device: device("a") }, T + 500);
    expect(left.own.status).toBe("online");
    expect(left.alarmAt).toBe(T + 500 + timers.disconnectGraceMs);
    const after = run(left.record, [], { type: "alarm" }, T + 500 + timers.disconnectGraceMs);
    expect(after.others).toMatchObject({ status: "offline", lastSeen: T + 500 });
  });

  it("ignores a second leave of a device already gone", () => {
    const left = run(connected(device("a")), [], { type: "leave", device: device("a") }, T + 500);
    const offline = run(left.record, [], { type: "alarm" }, T + 2_000);
    const late = run(offline.record, [], { type: "leave", device: device("a") }, T + 2_100);
    expect(late.changed).toBe(false);
    expect(late.own.status).toBe("offline");
  });

  it("closes a device that sent no heartbeat for OFFLINE_AFTER_MS with 4000 and starts the grace window", () => {
    const live = [device("a", T, T)];
    const now = T + timers.offlineAfterMs;
    const step = run(connected(...live), live, { type: "alarm" }, now);
    expect(step.closes).toEqual([{ device: "a", code: 4000, reason: "no heartbeat" }]);
    expect(step.record?.state.leftAt).toBe(now);
  });

  it("closes a device whose token expired with 4003, and wakes up for it", () => {
    const live = [{ ...device("a"), expiresAt: T + 2_000 }];
    expect(run(connected(...live), live, { type: "frame", device: "a", frame: { type: "activity" } }).alarmAt).toBe(T + 2_000);
    const step = run(connected(...live), live, { type: "alarm" }, T + 2_000);
    expect(step.closes).toEqual([{ device: "a", code: 4003, reason: "token expired" }]);
  });

  it("counts devices that vanished without a close (an unclean stop) as gone at their last stored activity", () => {
    const record = connected(device("a"));
    const step = run(record, [], { type: "read" }, T + 3_600_000);
    expect(step.others).toMatchObject({ status: "offline", lastSeen: T, lastActive: T });
    expect(step.changed).toBe(true);
    expect(step.pushes.every((push) => push.member === null)).toBe(true);
  });

  it("refuses focus on oneself with an error frame to that device", () => {
    const step = run(connected(device("a")), [device("a")], { type: "frame", device: "a", frame: { type: "focus", partner: "u" } });
    expect(step.messages).toEqual([{ device: "a", frame: { type: "error", code: "invalid_frame", message: "partner: cannot focus on yourself" } }]);
    expect(step.notices).toEqual([]);
  });

  it("tells the old and the new partner when a device moves its focus", () => {
    const focused = run(connected(device("a")), [device("a")], { type: "frame", device: "a", frame: { type: "focus", partner: "bob" } });
    const moved = run(focused.record, [device("a")], { type: "frame", device: "a", frame: { type: "focus", partner: "carol" } });
    expect(moved.notices).toEqual([
      { partner: "bob", device: "a", active: false },
      { partner: "carol", device: "a", active: true },
    ]);
  });

  it("ends a departed device's focus", () => {
    const live = [device("a"), device("b")];
    const focused = run(connected(...live), live, { type: "frame", device: "a", frame: { type: "focus", partner: "bob" } });
    const left = run(focused.record, [device("b")], { type: "leave", device: device("a") });
    expect(left.notices).toEqual([{ partner: "bob", device: "a", active: false }]);
  });

  it("tells every device when another user starts focusing, once per user", () => {
    const live = [device("a")];
    const first = run(connected(...live), live, { type: "focus", from: "bob", device: "phone", active: true, at: T });
    expect(first.messages).toEqual([{ device: null, frame: { type: "focus", user: "bob", active: true } }]);
    const second = run(first.record, live, { type: "focus", from: "bob", device: "laptop", active: true, at: T });
    expect(second.messages).toEqual([]);
  });

  it("greets a new device with the users who have this user in focus", () => {
    const live = [device("a")];
    const focused = run(connected(...live), live, { type: "focus", from: "bob", device: "phone", active: true, at: T });
    const step = run(focused.record, [...live, device("b")], { type: "connect", identity, device: "b", replaced: [] });
    expect(step.messages.filter((m) => m.device === "b").map((m) => m.frame)).toEqual([
      { type: "hello", user: "u", device: "b", presence: step.own },
      { type: "focus", user: "bob", active: true },
    ]);
  });

  it("moves the user out of an org they no longer belong to", () => {
    const step = run(connected(device("a")), [device("a")], { type: "connect", identity: { sub: "u", org: "other" }, device: "a", replaced: [device("a")] });
    expect(step.record?.rooms.map((room) => [room.scope, room.member === null])).toEqual([
      ["global", false],
      ["org:other", false],
      ["org:acme", true],
    ]);
  });

  it("puts a user in the scopes of every device's token, and takes a departed device's scopes away after grace", () => {
    const laptop = run(null, [device("laptop")], { type: "connect", identity: { sub: "u", org: "a" }, device: "laptop", replaced: [] }, T);
    const both = run(laptop.record, [device("laptop"), device("phone")], { type: "connect", identity: { sub: "u", org: "b" }, device: "phone", replaced: [] }, T + 1_500);
    const scopes = (step: { record: UserRecord | null }) => step.record?.rooms.filter((room) => room.member !== null).map((room) => room.scope).sort();
    expect(scopes(both)).toEqual(["global", "org:a", "org:b"]);
    const phoneLeft = run(both.record, [device("laptop")], { type: "leave", device: device("phone") }, T + 3_000);
    expect(scopes(phoneLeft)).toEqual(["global", "org:a", "org:b"]);
    expect(phoneLeft.alarmAt).toBe(T + 3_000 + timers.disconnectGraceMs);
    const lapsed = run(phoneLeft.record, [device("laptop")], { type: "alarm" }, T + 3_000 + timers.disconnectGraceMs);
    expect(scopes(lapsed)).toEqual(["global", "org:a"]);
    expect(lapsed.pushes).toEqual([{ scope: "org:b", room: "org:b", member: null, rev: expect.any(Number) }]);
  });

  it("never changes membership on a REST choice, whatever the token's org", () => {
    const record = connected(device("a"));
    const step = run(record, [device("a")], { type: "choose", identity: { sub: "u" }, change: { text: "lunch" } });
    expect(step.record?.rooms.map((room) => room.scope)).toEqual(record.rooms.map((room) => room.scope));
    expect(step.record?.rooms.every((room) => room.member !== null)).toBe(true);
    expect(step.record?.identity).toEqual(identity);
  });

  it("answers a REST choice with the same rules as a status frame", () => {
    const step = run(newRecord(identity), [], { type: "choose", identity, change: { status: "busy", text: "lunch" } });
    expect(step.own).toMatchObject({ status: "offline", text: "lunch" });
    expect(step.record?.state.manual).toBe("busy");
  });

});

describe("privacy and blocks in the transition", () => {
  const later = T + 2_000; // past the push interval of the first pushes

  it("takes a user who shows only contacts, or nobody, out of every roster, and back", () => {
    const record = connected(device("a"));
    for (const visibility of ["contacts", "nobody"] as const) {
      const hidden = run(record, [device("a")], { type: "privacy", privacy: { visibility, lastSeen: "everyone" } }, later);
      expect(hidden.changed).toBe(true);
      expect(hidden.pushes.map((push) => [push.scope, push.member])).toEqual([["global", null], ["org:acme", null]]);
      const back = run(hidden.record, [device("a")], { type: "privacy", privacy: { visibility: "everyone", lastSeen: "everyone" } }, later + 2_000);
      expect(back.pushes.map((push) => push.member?.status)).toEqual(["online", "online"]);
    }
  });

  it("pushes a member without lastActive, ranked by it, when last seen is not for everyone", () => {
    const record = connected(device("a"));
    const step = run(record, [device("a")], { type: "privacy", privacy: { visibility: "everyone", lastSeen: "contacts" } }, later);
    expect(step.pushes.map(({ member, rank }) => [member?.lastActive, rank])).toEqual([
      [null, T],
      [null, T],
    ]);
  });

  it("keeps a privacy change of a user who never connected, making their record", () => {
    const step = run(null, [], { type: "privacy", privacy: { visibility: "nobody", lastSeen: "nobody" } });
    expect(step.changed).toBe(true);
    expect(step.record?.privacy).toEqual({ visibility: "nobody", lastSeen: "nobody" });
    expect(step.pushes).toEqual([]);
  });

  it("sends a new version of the blocks to every roster, and ends the blocked users' focus on this user", () => {
    const focused = run(connected(device("a")), [device("a")], { type: "focus", from: "v", device: "vd", active: true, at: T });
    const step = run(focused.record, [device("a")], { type: "blocks", blocked: ["v"] }, later);
    expect(step.record?.blocksRev).toBe(1);
    expect(step.pushes.map((push) => [push.scope, push.withBlocks])).toEqual([["global", true], ["org:acme", true]]);
    expect(step.record?.rooms.map((room) => room.blocksSent)).toEqual([1, 1]);
    const next = run(step.record, [device("a")], { type: "frame", device: "a", frame: { type: "status", status: "busy" } }, later + 2_000);
    expect(next.pushes.map((push) => [push.scope, push.withBlocks ?? false])).toEqual([["global", false], ["org:acme", false]]);
    expect(step.messages).toEqual([{ device: null, frame: { type: "focus", user: "v", active: false } }]);
    expect(step.record?.focus.incoming).toEqual([]);
  });

  it("sends no focus notice while invisible, and ends the focus on going invisible", () => {
    const focusing = run(connected(device("a")), [device("a")], { type: "frame", device: "a", frame: { type: "focus", partner: "p" } });
    expect(focusing.notices).toEqual([{ partner: "p", device: "a", active: true }]);
    const invisible = run(focusing.record, [device("a")], { type: "frame", device: "a", frame: { type: "status", status: "invisible" } });
    expect(invisible.notices).toEqual([{ partner: "p", device: "a", active: false }]);
    const again = run(invisible.record, [device("a")], { type: "frame", device: "a", frame: { type: "focus", partner: "p" } });
    expect(again.notices).toEqual([]);
    expect(again.record?.focus.outgoing).toEqual([]);
  });
});

describe("sharded scopes", () => {
  const SHARDS = { global: 8, org: 1, zone: 1 };
  const T0 = 1_800_000_000_000;
  const timers = { awayAfterMs: 300_000, offlineAfterMs: 60_000, leaseMs: 600_000, disconnectGraceMs: 5_000, joinPushDelayMs: 0 };
  const device = (id: string): LiveDevice => ({ id, type: "web", connectedAt: T0, lastActive: T0, expiresAt: T0 + 3_600_000, lastHeard: T0 });

  it("pushes each scope to the user's shard, and on a re-shard moves them: the new shard gets them, the old one their leave", () => {
    const live = [device("d1")];
    const joined = transition({ user: "alice", record: null, live, event: { type: "connect", identity: { sub: "alice", org: "acme" }, device: "d1", replaced: [] }, now: T0, timers, shards: SHARDS });
    const toGlobal = joined.pushes.find((push) => push.scope === "global");
    expect(toGlobal?.room).toBe(roomOf("global", "alice", SHARDS));
    expect(toGlobal?.room).toMatch(/^global#\d\/8$/);
    expect(joined.pushes.find((push) => push.scope === "org:acme")?.room).toBe("org:acme");

    const resharded = { ...SHARDS, global: 16 };
    const moved = transition({ user: "alice", record: joined.record, live, event: { type: "alarm" }, now: T0 + 1_000, timers, shards: resharded });
    expect(moved.pushes).toEqual([expect.objectContaining({ scope: "global", room: roomOf("global", "alice", resharded), leaveFrom: toGlobal?.room })]);
    const settled = transition({ user: "alice", record: moved.record, live, event: { type: "alarm" }, now: T0 + 2_000, timers, shards: resharded });
    expect(settled.pushes).toEqual([]);
  });
});

describe("sweeps instead of leases and heartbeat alarms", () => {
  const T0 = 1_800_000_000_000;
  const timers = { awayAfterMs: 3_600_000, offlineAfterMs: 60_000, leaseMs: 600_000, disconnectGraceMs: 5_000, joinPushDelayMs: 0 };
  const heardAt = (now: number): LiveDevice => ({ id: "d1", type: "web", connectedAt: T0, lastActive: T0, expiresAt: T0 + 86_400_000, lastHeard: now });
  const joined = transition({ user: "bob", record: null, live: [heardAt(T0)], event: { type: "connect", identity: { sub: "bob", org: "acme" }, device: "d1", replaced: [] }, now: T0, timers });

  it("pushes a membership once and never renews it; a user held by `global` has no heartbeat alarm", () => {
    expect(joined.pushes.map((push) => push.scope).sort()).toEqual(["global", "org:acme"]);
    expect(joined.alarmAt).toBe(T0 + timers.awayAfterMs);
    for (const at of [T0 + 120_000, T0 + 600_000, T0 + 1_800_000]) {
      const swept = transition({ user: "bob", record: joined.record, live: [heardAt(at - 20_000)], event: { type: "sweep" }, now: at, timers });
      expect(swept).toMatchObject({ pushes: [], closes: [], changed: false, alarmAt: T0 + timers.awayAfterMs });
    }
  });

  it("closes a device silent for OFFLINE_AFTER_MS at a sweep (a half-open connection), and the rosters hear it left", () => {
    const swept = transition({ user: "bob", record: joined.record, live: [heardAt(T0 + 30_000)], event: { type: "sweep" }, now: T0 + 120_000, timers });
    expect(swept.closes).toEqual([{ device: "d1", code: 4000, reason: "no heartbeat" }]);
    const graced = transition({ user: "bob", record: swept.record, live: [], event: { type: "alarm" }, now: T0 + 126_000, timers });
    expect(graced.pushes.map((push) => [push.scope, push.member])).toEqual([["global", null], ["org:acme", null]]);
  });

  it("keeps the heartbeat alarm while `global` does not hold the user (before the join goes, or hidden from rosters)", () => {
    const waiting = transition({ user: "bob", record: null, live: [heardAt(T0)], event: { type: "connect", identity: { sub: "bob" }, device: "d1", replaced: [] }, now: T0, timers: { ...timers, joinPushDelayMs: 1_000 } });
    expect(waiting.alarmAt).toBe(T0 + 1_000);
    const hidden = transition({ user: "bob", record: joined.record, live: [heardAt(T0)], event: { type: "privacy", privacy: { visibility: "contacts", lastSeen: "everyone" } }, now: T0 + 1_000, timers });
    expect(hidden.pushes.map((push) => push.member)).toEqual([null, null]);
    expect(hidden.alarmAt).toBe(T0 + timers.offlineAfterMs);
  });
});
