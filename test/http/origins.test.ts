import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { call, token, uniqueUser } from "../helpers";

const ALLOWED = "https://app.example.com";
const STRANGER = "https://evil.example.net";

function upgradeFrom(path: string, origin: string | null): Promise<Response> {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (origin !== null) headers.Origin = origin;
  return exports.default.fetch(`http://presence.test${path}`, { headers });
}

describe("browsers", () => {
  it("answers a CORS preflight from an allowed origin with 204 and the allow headers, without a token", async () => {
    const response = await call("/v1/presence/me", {
      method: "OPTIONS",
      headers: { Origin: ALLOWED, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization, content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("PUT");
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(Number(response.headers.get("Access-Control-Max-Age"))).toBeGreaterThan(0);
  });

  it("gives a disallowed origin no allow header", async () => {
    const preflight = await call("/v1/presence/me", { method: "OPTIONS", headers: { Origin: STRANGER, "Access-Control-Request-Method": "GET" } });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const read = await call("/v1/presence/me", { token: await token(uniqueUser()), headers: { Origin: STRANGER } });
    expect(read.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("refuses a socket upgrade from a disallowed origin with 403 forbidden_origin", async () => {
    const t = await token(uniqueUser());
    for (const path of [`/v1/connect?token=${t}`, `/v1/scopes/global/watch?token=${t}`]) {
      const response = await upgradeFrom(path, STRANGER);
      expect(response.status).toBe(403);
      expect(response.webSocket).toBeNull();
      expect(await response.json()).toMatchObject({ error: { code: "forbidden_origin" } });
    }
  });

  it("opens sockets from an allowed origin, from the service's own origin, and without any origin", async () => {
    for (const origin of [ALLOWED, "http://presence.test", null]) {
      const response = await upgradeFrom(`/v1/connect?token=${await token(uniqueUser())}`, origin);
      expect(response.status).toBe(101);
      response.webSocket?.accept();
      response.webSocket?.close();
    }
  });
});

describe("body size", () => {
  it("refuses a JSON body over 16 KiB with 413 payload_too_large", async () => {
    const users = Array.from({ length: 100 }, (_, i) => `user-${i}-${"x".repeat(160)}`);
    const response = await call("/v1/presence/batch", { method: "POST", token: await token(uniqueUser()), json: { users } });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });
});
