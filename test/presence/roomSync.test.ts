import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/presence";
import { dueRoomSyncs, nextRoomSyncAt, planRoomSyncs, retryDelayMs, scopesOf } from "../../src/presence/roomSync";
import type { RoomSync } from "../../src/presence/store";

const member = (lastActive: number, status: Member["status"] = "online"): Member => ({ user: "u", status, text: null, lastActive });
const sync = (scope: string, fields: Partial<RoomSync>): RoomSync => ({
  scope,
  member: member(0),
  rev: 1,
  delivered: true,
  attempts: 0,
  nextTry: 0,
  renewedAt: 0,
  ...fields,
});

describe("room sync planning", () => {
  it("puts a user in global, their org and their zone", () => {
    expect(scopesOf({ sub: "u", org: "acme", zone: "eu" })).toEqual(["global", "org:acme", "zone:eu"]);
    expect(scopesOf({ sub: "u" })).toEqual(["global"]);
  });

  it("wants a new state in every scope with a rising rev, and nothing in a scope the user left", () => {
    const plan = planRoomSyncs([sync("org:old", {})], ["global", "org:new"], member(0, "busy"), 7);
    expect(plan.wants).toEqual([
      { scope: "global", member: member(0, "busy"), rev: 8 },
      { scope: "org:new", member: member(0, "busy"), rev: 9 },
      { scope: "org:old", member: null, rev: 10 },
    ]);
    expect(plan.rev).toBe(10);
  });

  it("does not re-push for activity alone within the roster's resolution", () => {
    expect(planRoomSyncs([sync("global", {})], ["global"], member(30_000), 1).wants).toEqual([]);
    expect(planRoomSyncs([sync("global", {})], ["global"], member(60_000), 1).wants).toHaveLength(1);
  });

  it("retries undelivered pushes when due and renews delivered ones every period", () => {
    const syncs = [
      sync("a", { delivered: false, nextTry: 100 }),
      sync("b", { delivered: true, renewedAt: 50 }),
      sync("c", { delivered: true, member: null }),
    ];
    expect(dueRoomSyncs(syncs, 100, 1_000).map((s) => s.scope)).toEqual(["a"]);
    expect(dueRoomSyncs(syncs, 1_050, 1_000).map((s) => s.scope)).toEqual(["a", "b"]);
    expect(nextRoomSyncAt(syncs, 1_000)).toBe(100);
  });

  it("backs off exponentially with jitter, capped at a minute", () => {
    expect(retryDelayMs(0, 0)).toBe(500);
    expect(retryDelayMs(0, 1)).toBe(1_000);
    expect(retryDelayMs(3, 1)).toBe(8_000);
    expect(retryDelayMs(30, 1)).toBe(60_000);
  });
});
