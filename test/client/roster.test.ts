import { describe, expect, it } from "vitest";
import { applyDiff, applyFrame, countMembers, type Member, type Roster } from "../../packages/client/src";

const alice: Member = { user: "alice", status: "online", text: null, lastActive: 1 };
const bob: Member = { user: "bob", status: "away", text: "back soon", lastActive: 2, name: "Bob" };
const carol: Member = { user: "carol", status: "busy", text: null, lastActive: 3 };

function roster(seq: number, ...members: Member[]): Roster {
  return { seq, members: new Map(members.map((m) => [m.user, m])) };
}

describe("roster model", () => {
  it("starts from a sync's members", () => {
    const step = applyFrame(null, { type: "sync", scope: "global", seq: 0, members: [alice, bob] });
    expect(step.ok && [...step.roster.members.values()]).toEqual([alice, bob]);
    expect(step.ok && step.change).toEqual({ joins: [alice, bob], updates: [], leaves: [] });
  });

  it("adds joins, replaces updates whole and removes leaves", () => {
    const before = roster(4, alice, bob);
    const busyAlice: Member = { ...alice, status: "busy", text: "call" };
    const step = applyDiff(before, { seq: 5, joins: [carol], updates: [busyAlice], leaves: ["bob"] });
    if (!step.ok) throw new Error("diff should apply");
    expect(step.roster.seq).toBe(5);
    expect([...step.roster.members.values()]).toEqual([busyAlice, carol]);
    expect(before.members.get("alice")).toBe(alice);
    expect(before.members.has("bob")).toBe(true);
  });

  it("refuses a diff that skips a seq, so the caller resyncs", () => {
    expect(applyDiff(roster(1, alice), { seq: 3, joins: [bob], updates: [], leaves: [] })).toEqual({ ok: false, expectedSeq: 2, seq: 3 });
  });

  it("refuses a diff it has already applied", () => {
    expect(applyDiff(roster(3, alice), { seq: 3, joins: [], updates: [], leaves: ["alice"] })).toMatchObject({ ok: false });
  });

  it("refuses a diff before any sync", () => {
    expect(applyFrame(null, { type: "diff", scope: "global", seq: 1, joins: [alice], updates: [], leaves: [] })).toEqual({
      ok: false,
      expectedSeq: null,
      seq: 1,
    });
  });

  it("describes a resync as what moved since the roster shown before", () => {
    const awayAlice: Member = { ...alice, status: "away" };
    const step = applyFrame(roster(7, alice, bob), { type: "sync", scope: "global", seq: 0, members: [awayAlice, bob, carol] });
    expect(step).toMatchObject({ ok: true, roster: { seq: 0 }, change: { joins: [carol], updates: [awayAlice], leaves: [] } });
    const emptied = applyFrame(roster(2, alice), { type: "sync", scope: "global", seq: 0, members: [] });
    expect(emptied).toMatchObject({ ok: true, change: { joins: [], updates: [], leaves: ["alice"] } });
  });

  it("counts members by status", () => {
    expect(countMembers([alice, bob, carol, { ...carol, user: "dave" }])).toEqual({ online: 1, away: 1, busy: 2, total: 4 });
    expect(countMembers([])).toEqual({ online: 0, away: 0, busy: 0, total: 0 });
  });
});
