import { describe, expect, it } from "vitest";
import { refreshAt, tokenExpiry } from "../../packages/client/src/tokenExpiry";
import { token } from "../helpers";

describe("token expiry", () => {
  it("reads exp from a JWT, and null from anything else", async () => {
    const jwt = await token("u", { ttlSeconds: 100 });
    const exp = tokenExpiry(jwt);
    expect(exp).not.toBeNull();
    expect(Math.abs((exp as number) - (Date.now() + 100_000))).toBeLessThan(2_000);
    expect(tokenExpiry("not-a-jwt")).toBeNull();
  });

  it("refreshes a fifth of the remaining lifetime ahead, at most a minute ahead", () => {
    expect(refreshAt(10_000, 0)).toBe(8_000);
    expect(refreshAt(3_600_000, 0)).toBe(3_540_000);
    expect(refreshAt(1_000, 5_000)).toBe(1_000);
  });
});
