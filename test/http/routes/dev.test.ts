import { describe, expect, it } from "vitest";
import { call } from "../../helpers";

describe("dev tokens", () => {
  it("are refused with 404 unless DEV_TOKENS is true", async () => {
    const response = await call("/v1/dev/token", { method: "POST", json: { sub: "alice" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "dev_tokens_disabled" } });
  });
});
