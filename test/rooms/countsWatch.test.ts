import { describe, expect, it } from "vitest";
import { connectDevice, TestSocket, token, uniqueUser, upgrade, type Frame } from "../helpers";

async function watchCounts(scope: string, bearer: string): Promise<{ status: number; socket?: TestSocket }> {
  const response = await upgrade(`/v1/scopes/${scope}/watch?members=false&token=${encodeURIComponent(bearer)}`);
  return response.webSocket ? { status: response.status, socket: new TestSocket(response.webSocket) } : { status: response.status };
}

describe("a counts-only watch (?members=false)", () => {
  it("starts from the counts and gets them again after each change that moves them, never a member", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    await connectDevice(uniqueUser("alice"), { org });
    const { socket } = await watchCounts(scope, await token(uniqueUser("viewer"), { org }));
    if (!socket) throw new Error("no socket");
    const sync = await socket.nextOfType("sync");
    expect(sync).toMatchObject({ scope, counts: { online: 1, away: 0, busy: 0, total: 1 } });
    expect(sync).not.toHaveProperty("members");

    const bob = await connectDevice(uniqueUser("bob"), { org });
    const joined = await socket.nextOfType<Frame & { seq: number }>("diff");
    expect(joined).toEqual({ type: "diff", scope, seq: (sync.seq as number) + 1, counts: { online: 2, away: 0, busy: 0, total: 2 } });
    bob.socket.send({ type: "status", text: "at lunch" });
    bob.socket.send({ type: "status", status: "busy" });
    const busy = await socket.nextOfType<Frame & { seq: number }>("diff");
    // The text change moved no count: no frame for it, and the seq still rises by one.
    expect(busy).toEqual({ type: "diff", scope, seq: joined.seq + 1, counts: { online: 1, away: 0, busy: 1, total: 2 } });
  });

  it("follows count's access rules: users may watch the counts of global, not its members", async () => {
    const bearer = await token(uniqueUser(), { org: uniqueUser("org") });
    const countsOfOtherOrg = await watchCounts(`org:${uniqueUser("other")}`, bearer);
    expect(countsOfOtherOrg.status).toBe(403);
    const membersOfGlobal = await upgrade(`/v1/scopes/global/watch?token=${encodeURIComponent(bearer)}`);
    expect(membersOfGlobal.status).toBe(403);
  });
});
