import { describe, expect, it } from "vitest";
import { call, token, uniqueUser } from "../helpers";

describe("REST rate limit", () => {
  it("answers a caller over the limit with 429 rate_limited and Retry-After, and leaves other callers alone", async () => {
    const busy = await token(uniqueUser("busy"));
    let refused: Response | null = null;
    // The limiter counts in fixed windows: a burst straddling two may pass up to twice the limit first.
    for (let i = 0; i < 700 && refused === null; i++) {
      const response = await call("/v1/counts", { token: busy });
      if (response.status === 429) refused = response;
    }
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get("Retry-After")).toBe("10");
    expect(await refused?.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect((await call("/v1/counts", { token: await token(uniqueUser("calm")) })).status).toBe(200);
  });
});
