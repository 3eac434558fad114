import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/presence";
import { settleAnswer } from "../../src/rooms/sweep";

const ann: Member = { user: "ann", status: "online", text: null, lastActive: 1 };
const busy: Member = { ...ann, status: "busy" };

describe("what a room does with a sweep's answer", () => {
  it.each([
    ["the member as held: nothing (no row written)", { rev: 3, present: true }, { member: ann, rev: 3 }, null],
    ["an older state than held: nothing", { rev: 5, present: true }, { member: busy, rev: 4 }, null],
    ["a newer state (a lost push): taken", { rev: 3, present: true }, { member: busy, rev: 4, rank: 9 }, { user: "ann", member: busy, rev: 4, rank: 9 }],
    ["not a member: let go, keeping the higher rev", { rev: 7, present: true }, { member: null, rev: 0 }, { user: "ann", member: null, rev: 7 }],
    ["not a member, already gone: nothing", { rev: 7, present: false }, { member: null, rev: 8 }, null],
    ["a push on its way: wait for it", { rev: 3, present: true }, null, null],
  ] as const)("%s", (_case, held, answer, push) => {
    expect(settleAnswer("ann", held, answer)).toEqual(push);
  });
});
