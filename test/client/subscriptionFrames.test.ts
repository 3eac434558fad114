import { describe, expect, it } from "vitest";
import { subscriptionFrames } from "../../packages/client/src/subscriptionFrames";
import { MAX_FRAME_BYTES } from "../../src/protocol/constants";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
/** A user id of the longest length the service accepts. */
const longId = (index: number) => `user-${index}-`.padEnd(128, "x");

describe("subscriptionFrames", () => {
  it("sends nothing when the socket already follows whom it should", () => {
    expect(subscriptionFrames(new Set(["alice"]), new Set(["alice"]))).toEqual([]);
  });

  it("unsubscribes the users no longer wanted before it subscribes the new ones", () => {
    expect(subscriptionFrames(new Set(["alice", "bob"]), new Set(["bob", "carol"]))).toEqual([
      { type: "unsubscribe", users: ["alice"] },
      { type: "subscribe", users: ["carol"] },
    ]);
  });

  it("splits a long list into frames of at most MAX_FRAME_BYTES, each user once and in order", () => {
    const users = Array.from({ length: 500 }, (_, index) => longId(index));
    const frames = subscriptionFrames(new Set(), new Set(users));
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(bytes(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(frames.every((frame) => frame.type === "subscribe")).toBe(true);
    expect(frames.flatMap((frame) => frame.users)).toEqual(users);
  });

  it("fills each frame: the next frame's first user would not have fitted", () => {
    const users = Array.from({ length: 500 }, (_, index) => longId(index));
    const frames = subscriptionFrames(new Set(users), new Set());
    for (const [index, frame] of frames.slice(0, -1).entries()) {
      const next = frames[index + 1]?.users[0] ?? "";
      expect(bytes({ ...frame, users: [...frame.users, next] })).toBeGreaterThan(MAX_FRAME_BYTES);
    }
  });
});
