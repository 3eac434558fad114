import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/presence";
import type { RoomSync } from "../../src/presence/record";
import { PUSH_INTERVAL_MS, afterFailedPushes, dueRoomSyncs, markSent, nextRoomSyncAt, planRoomSyncs, retryDelayMs, scopesOf, sweepAnswer, sweptByGlobal } from "../../src/presence/roomSync";

const member = (lastActive: number, status: Member["status"] = "online"): Member => ({ user: "u", status, text: null, lastActive });
const sync = (scope: string, fields: Partial<RoomSync> = {}): RoomSync => ({
  scope,
  member: member(0),
  rev: 1,
  delivered: true,
  attempts: 0,
  nextTry: 0,
  pushedAt: 0,
  ...fields,
});

describe("room sync planning", () => {
  it("puts a user in global, their org and their zone", () => {
    expect(scopesOf({ sub: "u", org: "acme", zone: "eu" })).toEqual(["global", "org:acme", "zone:eu"]);
    expect(scopesOf({ sub: "u" })).toEqual(["global"]);
  });

  it("wants a new state in every scope with a rising rev, and nothing in a scope the user left", () => {
    const plan = planRoomSyncs([sync("org:old")], ["global", "org:new"], member(0, "busy"), 7, 10_000);
    expect(plan.rooms.map(({ scope, member, rev, delivered }) => ({ scope, member, rev, delivered }))).toEqual([
      { scope: "global", member: member(0, "busy"), rev: 8, delivered: false },
      { scope: "org:new", member: member(0, "busy"), rev: 9, delivered: false },
      { scope: "org:old", member: null, rev: 10, delivered: false },
    ]);
    expect(plan.rev).toBe(10);
  });

  const pushCases: [string, Member | null, boolean][] = [
    ["activity within the roster's resolution", member(30_000), false],
    ["activity a minute on", member(60_000), true],
    ["a new status", member(0, "busy"), true],
    ["leaving", null, true],
  ];
  for (const [label, want, pushes] of pushCases) {
    it(`${pushes ? "pushes" : "does not push"} for ${label}`, () => {
      expect(planRoomSyncs([sync("global")], ["global"], want, 1, 100_000).rooms[0]?.delivered).toBe(!pushes);
    });
  }

  it("pushes at most once a second per room: a change right after a push waits for the interval", () => {
    const [soon] = planRoomSyncs([sync("global", { pushedAt: 10_000 })], ["global"], member(0, "busy"), 1, 10_200).rooms;
    expect(soon?.nextTry).toBe(10_000 + PUSH_INTERVAL_MS);
    const [later] = planRoomSyncs([sync("global", { pushedAt: 10_000 })], ["global"], member(0, "busy"), 1, 12_000).rooms;
    expect(later?.nextTry).toBe(12_000);
  });

  it("keeps only the newest wanted state when changes come faster than pushes", () => {
    const first = planRoomSyncs([sync("global", { pushedAt: 10_000 })], ["global"], member(0, "busy"), 1, 10_100);
    const second = planRoomSyncs(first.rooms, ["global"], member(0, "away"), first.rev, 10_200);
    expect(second.rooms).toHaveLength(1);
    expect(second.rooms[0]).toMatchObject({ member: member(0, "away"), rev: 3, nextTry: 11_000 });
  });

  it("retries undelivered pushes when due, never pushes a delivered membership again, and repeats a removal once", () => {
    const syncs = [sync("a", { delivered: false, nextTry: 100 }), sync("b", { pushedAt: 50 }), sync("c", { member: null })];
    expect(dueRoomSyncs(syncs, 100, 1_000).map((s) => s.scope)).toEqual(["a"]);
    expect(dueRoomSyncs(syncs, 1_000_000, 1_000).map((s) => s.scope)).toEqual(["a", "c"]); // b: rooms sweep for it; c: a removal's one repeat
    expect(nextRoomSyncAt(syncs, 1_000)).toBe(100);
    expect(nextRoomSyncAt([sync("b", { pushedAt: 50 })], 1_000)).toBeNull();
  });

  it("marks due pushes as sent in the same save, and puts failed ones back with a backoff", () => {
    const syncs = [sync("due", { delivered: false, rev: 2 }), sync("later", { delivered: false, rev: 3, nextTry: 9_000 })];
    const sent = markSent(syncs, dueRoomSyncs(syncs, 5_000, 60_000), 5_000);
    expect(sent.map((s) => [s.scope, s.delivered, s.pushedAt])).toEqual([["due", true, 5_000], ["later", false, 0]]);
    const failures = [{ scope: "due", member: member(0), rev: 2 }, { scope: "later", member: member(0), rev: 1 }];
    const failed = afterFailedPushes(sent, failures, 5_100, () => 1);
    expect(failed.map((s) => [s.scope, s.delivered, s.attempts, s.nextTry])).toEqual([["due", false, 1, 6_100], ["later", false, 0, 9_000]]);
  });

  it("repeats a removal once, a period after sending it, then forgets it; a failed repeat comes back", () => {
    const removal = sync("org:old", { member: null, delivered: false, rev: 4 });
    const sent = markSent([sync("global", { pushedAt: 10_000 }), removal], [removal], 10_000);
    expect(sent.map((s) => [s.scope, s.delivered, s.pushedAt])).toEqual([["global", true, 10_000], ["org:old", true, 10_000]]);
    const due = dueRoomSyncs(sent, 70_000, 60_000);
    expect(due.map((s) => s.scope)).toEqual(["org:old"]);
    const repeated = markSent(sent, due, 70_000);
    expect(repeated.map((s) => s.scope)).toEqual(["global"]);
    const failed = afterFailedPushes(repeated, [{ scope: "org:old", member: null, rev: 4 }], 70_100, () => 0);
    expect(failed.map((s) => [s.scope, s.member, s.rev, s.delivered, s.attempts, s.nextTry])).toEqual([
      ["global", member(0), 1, true, 0, 0],
      ["org:old", null, 4, false, 1, 70_600],
    ]);
  });

  it("keeps one push a second across a removal and a join (invisible and back)", () => {
    const left = markSent([sync("global", { member: null, delivered: false, rev: 2 })], [sync("global")], 10_000);
    const sentRemoval = markSent(left, left.filter((s) => !s.delivered), 10_000);
    const back = planRoomSyncs(sentRemoval, ["global"], member(0), 2, 10_100);
    expect(back.rooms[0]).toMatchObject({ member: member(0), delivered: false, nextTry: 11_000 });
  });

  it("does not let a change overtake a delayed join", () => {
    const joining = planRoomSyncs([], ["global"], member(0), 0, 10_000, 1_000);
    expect(joining.rooms[0]?.nextTry).toBe(11_000);
    const changed = planRoomSyncs(joining.rooms, ["global"], member(0, "busy"), joining.rev, 10_200, 1_000);
    expect(changed.rooms[0]).toMatchObject({ member: member(0, "busy"), nextTry: 11_000 });
  });

  it("backs off exponentially with jitter, capped at a minute", () => {
    expect(retryDelayMs(0, 0)).toBe(500);
    expect(retryDelayMs(0, 1)).toBe(1_000);
    expect(retryDelayMs(3, 1)).toBe(8_000);
    expect(retryDelayMs(30, 1)).toBe(60_000);
  });

  it("pushes again when activity is hidden or shown, when the rank moves a minute, or when the blocks change", () => {
    const shown = sync("global", { pushedAt: 10_000 });
    const hiddenMember = { ...member(0), lastActive: null };
    const pending = (plan: ReturnType<typeof planRoomSyncs>) => plan.rooms[0]?.delivered === false;
    expect(pending(planRoomSyncs([shown], ["global"], hiddenMember, 1, 20_000, 0, { rank: 0 }))).toBe(true);
    const hidden = { ...shown, member: hiddenMember, rank: 0 };
    expect(pending(planRoomSyncs([hidden], ["global"], hiddenMember, 1, 20_000, 0, { rank: 59_999 }))).toBe(false);
    expect(pending(planRoomSyncs([hidden], ["global"], hiddenMember, 1, 80_000, 0, { rank: 60_000 }))).toBe(true);
    expect(pending(planRoomSyncs([hidden], ["global"], hiddenMember, 1, 20_000, 0, { rank: 0, blocksRev: 1 }))).toBe(true);
  });
});

describe("answering a room's sweep", () => {
  const held = sync("global", { rev: 3 });
  const sharded = sync("global", { rev: 5, room: "global#1/4", rank: 7 });
  it.each([
    ["a member the room should hold", [held], "global", { member: member(0), rev: 3 }],
    ["a member held in a shard, with their hidden rank", [sharded], "global#1/4", { member: member(0), rev: 5, rank: 7 }],
    ["a shard the user moved out of", [sharded], "global#0/4", { member: null, rev: 9 }],
    ["a room the user never joined", [], "org:acme", { member: null, rev: 9 }],
    ["a delivered removal", [sync("global", { member: null, rev: 4 })], "global", { member: null, rev: 4 }],
    ["a push on its way (wait for it)", [sync("global", { delivered: false })], "global", null],
  ])("%s", (_case, syncs, room, answer) => {
    expect(sweepAnswer(syncs, room, 9)).toEqual(answer);
  });

  it("says the `global` shard holds the user only once their join was delivered", () => {
    expect(sweptByGlobal([held])).toBe(true);
    expect(sweptByGlobal([sync("global", { delivered: false })])).toBe(false);
    expect(sweptByGlobal([sync("global", { member: null })])).toBe(false);
    expect(sweptByGlobal([sync("org:acme")])).toBe(false);
  });
});
