import { describe, expect, it } from "vitest";
import { RestError } from "../../packages/client/src";

describe("RestError.from", () => {
  it("carries the status, code and message of the service's error body", async () => {
    const error = await RestError.from(Response.json({ error: { code: "forbidden", message: "not yours" } }, { status: 403 }));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "RestError", status: 403, code: "forbidden", message: "not yours" });
  });

  it("has a null code for a body that is not the service's error shape", async () => {
    const error = await RestError.from(new Response("<html>Bad Gateway</html>", { status: 502 }));
    expect(error).toMatchObject({ status: 502, code: null, message: "request failed with status 502" });
  });
});
