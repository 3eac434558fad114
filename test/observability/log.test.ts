import { afterEach, describe, expect, it, vi } from "vitest";
import { logEvent } from "../../src/observability/log";
import { call, connectDevice, testEnv, token, upgrade, uniqueUser } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** Every JSON log line written while `run` runs, parsed. */
async function logLines(run: () => Promise<void>): Promise<{ raw: string; line: Record<string, unknown> }[]> {
  const spy = vi.spyOn(console, "log");
  await run();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return spy.mock.calls
    .map((call) => String(call[0]))
    .filter((raw) => raw.startsWith("{"))
    .map((raw) => ({ raw, line: JSON.parse(raw) as Record<string, unknown> }));
}

describe("structured logs", () => {
  it("write one line per connect, disconnect and refusal, with user, device and code, never the token", async () => {
    const user = uniqueUser();
    const secret = await token(user);
    const forged = await token(user, { secret: "not-the-secret" });
    const lines = await logLines(async () => {
      const { socket } = await connectDevice(user, { device: "phone" });
      socket.close();
      await socket.closed().catch(() => undefined);
      const refused = await upgrade(`/v1/connect?token=${encodeURIComponent(forged)}`);
      expect(refused.status).toBe(401);
    });
    expect(lines.find(({ line }) => line.event === "connect")?.line).toMatchObject({ user, device: "phone" });
    expect(lines.find(({ line }) => line.event === "refusal")?.line).toMatchObject({ code: "invalid_token", status: 401, what: "GET /v1/connect" });
    for (const { raw } of lines) {
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain(forged);
      expect(raw).not.toContain(testEnv.JWT_SECRET);
    }
  });

  it("log a socket the service closes once, with its close code", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { device: "tablet" });
    const lines = await logLines(async () => {
      const response = await call(`/v1/users/${user}/disconnect`, { method: "POST", token: "service-key-one-0123456789abcdef0123456789" });
      expect(response.status).toBe(204);
      expect(await socket.closed()).toBe(4004);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const disconnects = lines.filter(({ line }) => line.event === "disconnect").map(({ line }) => line);
    expect(disconnects).toEqual([expect.objectContaining({ user, device: "tablet", code: 4004 })]);
  });

  it("mask anything shaped like a JWT that reaches a field", async () => {
    const jwt = await token(uniqueUser());
    const lines = await logLines(async () => logEvent("push_failed", { what: `bad ${jwt} here`, user: "u1" }));
    expect(lines[0]?.line).toEqual({ event: "push_failed", what: "bad [token] here", user: "u1" });
  });
});
