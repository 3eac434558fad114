import { describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { call, connectDevice, eventually, TestSocket, token, uniqueUser, upgrade, watchScope } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";

interface Stats {
  at: number;
  connections: { devices: number; watchers: number };
  scopes: { scope: string; online: number; away: number; busy: number; total: number; watchers: number }[];
  more: boolean;
}

const stats = async () => (await (await call("/v1/stats", { token: SERVICE_KEY })).json()) as Stats;

describe("GET /v1/health", () => {
  it("answers 200 with the version, without a token", async () => {
    const response = await call("/v1/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, version: packageJson.version });
  });
});

describe("GET /v1/stats", () => {
  it("lists each scope that holds anyone with its totals and watchers, and the sockets held now", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const before = await stats();
    const alice = await connectDevice(uniqueUser("alice"), { org });
    await connectDevice(uniqueUser("bob"), { org, device: "laptop" });
    await watchScope(scope, uniqueUser("viewer"), { org });
    await eventually(async () => (await stats()).scopes.find((entry) => entry.scope === scope)?.total === 2, 5000, "the org in stats");

    const after = await stats();
    expect(after.scopes.find((entry) => entry.scope === scope)).toEqual({ scope, online: 2, away: 0, busy: 0, total: 2, watchers: 1 });
    expect(after.scopes.map((entry) => entry.scope)).toContain("global");
    expect(after.connections.devices - before.connections.devices).toBe(2);
    expect(after.connections.watchers - before.connections.watchers).toBe(1);
    expect(after.more).toBe(false);

    alice.socket.close();
    await eventually(async () => (await stats()).connections.devices === after.connections.devices - 1, 5000, "a device fewer");
  });

  it("counts a sharded scope's watchers, which its hubs hold", async () => {
    await connectDevice(uniqueUser("member"));
    await eventually(async () => (await stats()).scopes.some((entry) => entry.scope === "global"), 5000, "global in stats");
    const before = (await stats()).scopes.find((entry) => entry.scope === "global");
    const response = await upgrade(`/v1/scopes/global/watch?members=false&token=${await token(uniqueUser("viewer"))}`);
    expect(response.status).toBe(101);
    const watcher = new TestSocket(response.webSocket as WebSocket);
    await watcher.nextOfType("sync");
    const after = (await stats()).scopes.find((entry) => entry.scope === "global");
    expect(after?.watchers).toBe((before?.watchers ?? 0) + 1);
    watcher.close();
  });

  it("is for service keys only", async () => {
    const refused = await call("/v1/stats", { token: await token(uniqueUser()) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "forbidden" } });
    expect((await call("/v1/stats")).status).toBe(401);
  });
});
