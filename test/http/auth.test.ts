import { describe, expect, it } from "vitest";
import { sign } from "hono/jwt";
import { TOKEN_AUDIENCE, TOKEN_ISSUER, call, testEnv, token, upgrade, uniqueUser } from "../helpers";

async function errorOf(response: Response) {
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
}

describe("authentication", () => {
  it("refuses a request without a token with missing_token", async () => {
    const { status, body } = await errorOf(await call("/v1/presence/alice"));
    expect(status).toBe(401);
    expect(body.error.code).toBe("missing_token");
  });

  it("refuses a malformed token with invalid_token", async () => {
    const { status, body } = await errorOf(await call("/v1/presence/alice", { token: "not.a.jwt" }));
    expect(status).toBe(401);
    expect(body.error.code).toBe("invalid_token");
  });

  it("refuses a token signed with another secret with invalid_token", async () => {
    const forged = await token("alice", { secret: "some-other-secret" });
    const { status, body } = await errorOf(await call("/v1/presence/alice", { token: forged }));
    expect(status).toBe(401);
    expect(body.error.code).toBe("invalid_token");
  });

  it("refuses an expired token with expired_token", async () => {
    const expired = await token("alice", { ttlSeconds: -60 });
    const { status, body } = await errorOf(await call("/v1/presence/alice", { token: expired }));
    expect(status).toBe(401);
    expect(body.error.code).toBe("expired_token");
  });

  it("refuses a token without exp", async () => {
    const noExp = await sign({ sub: "alice", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE }, testEnv.JWT_SECRET, "HS256");
    const { status, body } = await errorOf(await call("/v1/presence/alice", { token: noExp }));
    expect(status).toBe(401);
    expect(body.error.code).toBe("invalid_token");
    expect(body.error.message).toContain("exp");
  });

  it("refuses a token whose sub has characters outside the allowed set", async () => {
    const bad = await token("alice smith");
    const { status, body } = await errorOf(await call("/v1/presence/alice", { token: bad }));
    expect(status).toBe(401);
    expect(body.error.code).toBe("invalid_token");
  });

  it("refuses a socket without a token, before upgrading", async () => {
    const response = await upgrade("/v1/connect");
    expect(response.status).toBe(401);
    expect(response.webSocket).toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("missing_token");
  });

  it("refuses a socket with an expired token", async () => {
    const response = await upgrade(`/v1/connect?token=${await token(uniqueUser(), { ttlSeconds: -120 })}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("expired_token");
  });

  it("accepts a valid bearer token", async () => {
    const response = await call("/v1/presence/alice", { token: await token("bob") });
    expect(response.status).toBe(200);
  });
});
