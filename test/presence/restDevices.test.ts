import { describe, expect, it } from "vitest";
import type { UserRecord } from "../../src/presence/record";
import { heartbeatIntervalMs, liveDevices } from "../../src/presence/restDevices";
import type { LiveDevice } from "../../src/presence/status";
import { transition, type PresenceEvent } from "../../src/presence/transition";

const timers = { awayAfterMs: 10_000, offlineAfterMs: 5_000, leaseMs: 5_000, disconnectGraceMs: 1_000, joinPushDelayMs: 0 };
const T = 1_000_000;
const identity = { sub: "u", org: "acme" };
const EXPIRES = T + 3_600_000;
const socket = (id: string): LiveDevice => ({ id, type: "web", connectedAt: T, lastActive: T, lastHeard: T, expiresAt: EXPIRES });
const beat = (device = "rest", active = false): PresenceEvent => ({ type: "heartbeat", identity, device, expiresAt: EXPIRES, active, replaced: [] });

function run(record: UserRecord | null, event: PresenceEvent, now: number, live: LiveDevice[] = []) {
  return transition({ user: "u", record, live, event, now, timers });
}

/** The user after a first heartbeat at T. */
const beating = () => run(null, beat(), T).record as UserRecord;

describe("REST devices in the presence transition", () => {
  it("puts a user online with a `rest` device on a first heartbeat, stored in the record, and pushes them to their scopes", () => {
    const step = run(null, beat(), T);
    expect(step.own).toMatchObject({ status: "online", devices: [{ id: "rest", type: "rest", idle: false }] });
    expect(step.record?.restDevices).toEqual([{ id: "rest", type: "rest", connectedAt: T, lastActive: T, lastHeard: T, expiresAt: EXPIRES }]);
    expect(step.pushes.map((push) => [push.scope, push.member?.status])).toEqual([["global", "online"], ["org:acme", "online"]]);
    expect(step.messages).toEqual([]);
  });

  it("keeps its own heartbeat alarm while global sweeps the user (a socket's would be left to the sweep)", () => {
    const record = beating();
    expect(record.rooms.some((room) => room.scope === "global" && room.delivered)).toBe(true);
    const step = run(record, beat(), T + 2_000);
    expect(step.alarmAt).toBe(T + 2_000 + timers.offlineAfterMs);
  });

  it("moves only lastHeard on a heartbeat without activity; with `active` the device is active now", () => {
    const quiet = run(beating(), beat(), T + 2_000);
    expect(quiet.record?.restDevices[0]).toMatchObject({ lastHeard: T + 2_000, lastActive: T, connectedAt: T });
    expect(quiet.pushes).toEqual([]);
    const active = run(beating(), beat("rest", true), T + 2_000);
    expect(active.record?.restDevices[0]).toMatchObject({ lastHeard: T + 2_000, lastActive: T + 2_000 });
  });

  it("turns away after AWAY_AFTER_MS of heartbeats without activity", () => {
    let record = beating();
    for (let at = T + 4_000; at <= T + timers.awayAfterMs; at += 4_000) record = run(record, beat(), at).record as UserRecord;
    expect(run(record, beat(), T + timers.awayAfterMs + 1).own.status).toBe("away");
  });

  it("expires the device at the alarm OFFLINE_AFTER_MS after its last heartbeat, then the grace window, then offline", () => {
    const at = T + timers.offlineAfterMs;
    const early = run(beating(), { type: "alarm" }, at - 1);
    expect(early.own.devices).toHaveLength(1);
    const expired = run(beating(), { type: "alarm" }, at);
    expect(expired.own).toMatchObject({ status: "online", devices: [] });
    expect(expired.record?.restDevices).toEqual([]);
    expect(expired.closes).toEqual([{ device: "rest", code: 4000, reason: "no heartbeat" }]);
    expect(expired.alarmAt).toBe(at + timers.disconnectGraceMs);
    const offline = run(expired.record, { type: "alarm" }, at + timers.disconnectGraceMs);
    expect(offline.own).toMatchObject({ status: "offline", lastSeen: at });
    expect(offline.pushes.map((push) => push.member)).toEqual([null, null]);
  });

  it("ends the device at once on a leave, with the grace window", () => {
    const step = run(beating(), { type: "restLeave", device: "rest" }, T + 500);
    expect(step.own).toMatchObject({ status: "online", devices: [] });
    expect(step.record?.state.leftAt).toBe(T + 500);
    expect(step.alarmAt).toBe(T + 500 + timers.disconnectGraceMs);
  });

  it("leaves a socket alone when a leave names its id", () => {
    const live = [socket("tab")];
    const record = transition({ user: "u", record: null, live, event: { type: "connect", identity, device: "tab", replaced: [] }, now: T, timers }).record;
    const step = run(record, { type: "restLeave", device: "tab" }, T + 10, live);
    expect(step.own.devices).toEqual([{ id: "tab", type: "web", idle: false }]);
  });

  it("shows a REST device beside a socket, in a stable order from one heartbeat to the next", () => {
    const live = [socket("tab")];
    const first = run(null, beat("a"), T, live);
    const second = run(first.record, beat("b"), T + 10, live);
    const again = run(second.record, beat("a"), T + 20, live);
    expect(again.own.devices.map((device) => [device.id, device.type])).toEqual([["tab", "web"], ["a", "rest"], ["b", "rest"]]);
    expect(again.messages).toEqual([]); // the device list did not change: no presence frame
  });

  it("lets a socket of the same id replace a REST device", () => {
    const live = [socket("rest")];
    const step = transition({ user: "u", record: beating(), live, event: { type: "connect", identity, device: "rest", replaced: [] }, now: T + 10, timers });
    expect(step.own.devices).toEqual([{ id: "rest", type: "web", idle: false }]);
    expect(step.record?.restDevices).toEqual([]);
  });

  it("reconnects the device's scopes when a heartbeat's token names others", () => {
    const step = run(beating(), { ...beat(), identity: { sub: "u", org: "other" } } as PresenceEvent, T + 10);
    expect(step.record?.deviceScopes).toEqual([{ device: "rest", scopes: ["global", "org:other"], leftAt: null }]);
  });
});

describe("REST device helpers", () => {
  it("lists sockets first, and a socket's id hides a REST device of the same id", () => {
    const rest = { ...socket("a"), type: "rest" as const };
    expect(liveDevices([socket("a")], [rest, { ...rest, id: "b" }]).map((device) => [device.id, device.type])).toEqual([["a", "web"], ["b", "rest"]]);
  });

  it("asks for a heartbeat twice per OFFLINE_AFTER_MS", () => {
    expect(heartbeatIntervalMs(60_000)).toBe(30_000);
  });
});
