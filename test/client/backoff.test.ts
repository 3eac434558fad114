import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "../../packages/client/src/backoff";

const policy = { baseMs: 100, capMs: 1000 };
const almostOne = () => 0.999999;

describe("reconnect backoff", () => {
  it("doubles its ceiling with every attempt", () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelayMs(attempt, policy, almostOne))).toEqual([99, 199, 399, 799]);
  });

  it("never waits longer than the cap", () => {
    expect(reconnectDelayMs(4, policy, almostOne)).toBe(999);
    expect(reconnectDelayMs(60, policy, almostOne)).toBe(999);
  });

  it("picks anywhere between zero and the ceiling (full jitter)", () => {
    expect(reconnectDelayMs(3, policy, () => 0)).toBe(0);
    expect(reconnectDelayMs(3, policy, () => 0.5)).toBe(400);
    const delays = Array.from({ length: 200 }, () => reconnectDelayMs(2, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(400);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});
