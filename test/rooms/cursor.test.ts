import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/rooms/cursor";

describe("members cursor", () => {
  it("round-trips and refuses what it did not make", () => {
    const cursor = { user: "alice@example.com" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("garbage")).toBeNull();
    expect(decodeCursor(btoa(JSON.stringify({ a: 1 })))).toBeNull();
    expect(decodeCursor(btoa(JSON.stringify([1795340368900, "alice"])))).toBeNull();
  });

  it("names no time, so a hidden activity is not given away", () => {
    expect(atob(encodeCursor({ user: "alice" }))).toBe('["alice"]');
  });
});
