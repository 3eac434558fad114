import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { sign } from "hono/jwt";
import { TOKEN_AUDIENCE, TOKEN_ISSUER, call, connectDevice, eventually, presenceStub, roomStub, testEnv, token, uniqueUser, upgrade } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";

function tokenIssuedAt(sub: string, iat: number | undefined): Promise<string> {
  return sign({ sub, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600, ...(iat === undefined ? {} : { iat }) }, testEnv.JWT_SECRET, "HS256");
}

describe("admin routes", () => {
  it("signs a user out everywhere: every device closes with 4004, older tokens are refused, newer ones connect", async () => {
    const user = uniqueUser();
    const laptop = await connectDevice(user, { device: "laptop" });
    const phone = await connectDevice(user, { device: "phone" });
    const response = await call(`/v1/users/${user}/disconnect`, { method: "POST", token: SERVICE_KEY });
    expect(response.status).toBe(204);
    expect(await laptop.socket.closed()).toBe(4004);
    expect(await phone.socket.closed()).toBe(4004);
    const now = Math.floor(Date.now() / 1000);
    for (const old of [await tokenIssuedAt(user, now - 5), await tokenIssuedAt(user, undefined)]) {
      const refused = await upgrade(`/v1/connect?token=${old}`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: "revoked_token" } });
    }
    const fresh = await upgrade(`/v1/connect?token=${await tokenIssuedAt(user, now + 1)}`);
    expect(fresh.status).toBe(101);
    fresh.webSocket?.accept();
    fresh.webSocket?.close();
  });

  it("erases a user: devices close with 4004, every roster drops them, nothing stays stored", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { org });
    await eventually(async () => (await roomStub(`org:${org}`).count()).total === 1, 2000, "the join");
    const response = await call(`/v1/users/${user}`, { method: "DELETE", token: SERVICE_KEY });
    expect(response.status).toBe(204);
    expect(await socket.closed()).toBe(4004);
    expect((await roomStub(`org:${org}`).count()).total).toBe(0);
    const seen = await call(`/v1/presence/${user}`, { token: SERVICE_KEY });
    expect(await seen.json()).toEqual({ user, status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] });
    const tables = await runInDurableObject(presenceStub(user), (_instance, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray(),
    );
    expect(tables).toEqual([]);
  });

  it("refuses the admin routes to user tokens with 403", async () => {
    const t = await token(uniqueUser());
    expect((await call("/v1/users/someone/disconnect", { method: "POST", token: t })).status).toBe(403);
    expect((await call("/v1/users/someone", { method: "DELETE", token: t })).status).toBe(403);
  });
});
