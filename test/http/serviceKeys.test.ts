import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { call, connectDevice, uniqueUser, upgrade } from "../helpers";

const KEY_ONE = "service-key-one-0123456789abcdef0123456789";
const KEY_TWO = "service-key-two-0123456789abcdef0123456789";

describe("service keys", () => {
  it("accepts every key of a rotation, and reads any user as a permitted viewer does (invisible is offline)", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { org: uniqueUser("org") });
    socket.send({ type: "status", status: "invisible" });
    await socket.nextOfType("presence");
    for (const key of [KEY_ONE, KEY_TWO]) {
      const response = await call(`/v1/presence/${user}`, { token: key });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ user, status: "offline", devices: [] });
    }
  });

  it("refuses a key shorter than 32 characters, and any unknown key, as an invalid token", async () => {
    for (const key of ["short", `${KEY_ONE}x`]) expect((await call("/v1/presence/alice", { token: key })).status).toBe(401);
  });

  it("reads and watches any scope", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser();
    await connectDevice(user, { org });
    const members = await call(`/v1/scopes/org:${org}/members`, { token: KEY_ONE });
    expect(members.status).toBe(200);
    expect(((await members.json()) as { members: { user: string }[] }).members.map((m) => m.user)).toEqual([user]);
    const watch = await exports.default.fetch(`http://presence.test/v1/scopes/org:${org}/watch`, { headers: { Upgrade: "websocket", Authorization: `Bearer ${KEY_TWO}` } });
    expect(watch.status).toBe(101);
    watch.webSocket?.accept();
    watch.webSocket?.close();
  });

  it("cannot open a device socket, act as a user, or read `me` (403 forbidden)", async () => {
    expect((await upgrade(`/v1/connect?token=${KEY_ONE}`)).status).toBe(403);
    const put = await call("/v1/presence/me", { method: "PUT", token: KEY_ONE, json: { status: "busy" } });
    expect(put.status).toBe(403);
    expect(await put.json()).toMatchObject({ error: { code: "forbidden" } });
    expect((await call("/v1/presence/me", { token: KEY_ONE })).status).toBe(403);
  });
});
