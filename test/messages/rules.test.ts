import { describe, expect, it } from "vitest";
import { arriving, inboxFrames, messageOf, nextExpiry, receiptsBySender, typingAllowed, CLIENT_ID_MEMORY_MS } from "../../src/messages/rules";

describe("delivery rules", () => {
  const rows: [string, number, string[], { delivered: boolean; read: boolean }][] = [
    ["no device connected", 0, ["alice"], { delivered: false, read: false }],
    ["a device connected", 2, [], { delivered: true, read: false }],
    ["a device with the sender in focus", 1, ["alice"], { delivered: true, read: true }],
    ["a device with someone else in focus", 1, ["carol"], { delivered: true, read: false }],
  ];
  for (const [receiver, live, focused, expected] of rows) {
    it(`a message to a receiver with ${receiver}: ${JSON.stringify(expected)}`, () => {
      expect(arriving("m1", "alice", ["org:a"], '{"a":1}', 5, live, focused)).toEqual({ id: "m1", from: "alice", body: { a: 1 }, sentAt: 5, senderScopes: ["org:a"], ...expected });
    });
  }

  it("sends a stored inbox oldest first in frames of at most 100, without the delivery flag", () => {
    const stored = Array.from({ length: 250 }, (_, n) => ({ id: `m${n}`, from: "a", body: n, sentAt: n, read: false, delivered: n % 2 === 0, senderScopes: [] }));
    const frames = inboxFrames(stored);
    expect(frames.map((frame) => frame.messages.length)).toEqual([100, 100, 50]);
    expect(frames[2]?.messages.at(-1)).toEqual({ id: "m249", from: "a", body: 249, sentAt: 249, read: false });
    expect(inboxFrames([])).toEqual([]);
    expect(messageOf(stored[0]!)).not.toHaveProperty("delivered");
    expect(messageOf(stored[0]!)).not.toHaveProperty("senderScopes");
  });

  it("groups receipts by sender, one call each", () => {
    const message = (id: string, from: string) => ({ id, from, body: null, sentAt: 0, read: false, delivered: true, senderScopes: [] });
    expect([...receiptsBySender([message("1", "a"), message("2", "b"), message("3", "a")])]).toEqual([
      ["a", ["1", "3"]],
      ["b", ["2"]],
    ]);
  });

  it("relays typing at most once a second", () => {
    expect(typingAllowed(undefined, 10_000)).toBe(true);
    expect(typingAllowed(10_000, 10_999)).toBe(false);
    expect(typingAllowed(10_000, 11_000)).toBe(true);
  });

  it("wakes for the first message or remembered id to expire", () => {
    expect(nextExpiry({ message: null, answer: null }, 1_000)).toBeNull();
    expect(nextExpiry({ message: 100, answer: null }, 1_000)).toBe(1_100);
    // Remembered ids lapse on the hour after their day, so a day of sends costs a wake an hour, not one each.
    const hour = 3_600_000;
    expect(nextExpiry({ message: null, answer: 50 }, 1_000)).toBe(CLIENT_ID_MEMORY_MS + hour);
    expect(nextExpiry({ message: null, answer: hour }, 1_000)).toBe(CLIENT_ID_MEMORY_MS + hour);
    expect(nextExpiry({ message: 100, answer: 50 }, 1_000)).toBe(1_100);
  });
});
