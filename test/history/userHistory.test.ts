import { describe, expect, it } from "vitest";
import { call, connectDevice, eventually, sleep, token, uniqueUser } from "../helpers";

interface Day {
  date: string;
  online: number;
  away: number;
  busy: number;
}

async function daysOf(user: string, bearer: string, days = 1): Promise<{ status: number; body: { user?: string; days?: Day[]; error?: { code: string } } }> {
  const response = await call(`/v1/presence/${user}/history?days=${days}`, { token: bearer });
  return { status: response.status, body: (await response.json()) as never };
}

const today = () => new Date().toISOString().slice(0, 10);

describe("a user's daily online time", () => {
  it("counts seconds online and busy today, ongoing time included, for the user and those who see them", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { org });
    await sleep(1_200);
    socket.send({ type: "status", status: "busy" });
    await socket.nextOfType("presence");
    await sleep(1_200);
    socket.send("ping");

    const own = await daysOf("me", await token(user, { org }));
    expect(own.status).toBe(200);
    expect(own.body.user).toBe(user);
    expect(own.body.days).toHaveLength(1);
    const [day] = own.body.days ?? [];
    expect(day?.date).toBe(today());
    expect(day?.online).toBeGreaterThanOrEqual(1);
    expect(day?.online).toBeLessThanOrEqual(3);
    expect(day?.busy).toBeGreaterThanOrEqual(1);
    expect(day?.away).toBe(0);

    const colleague = await daysOf(user, await token(uniqueUser(), { org }));
    expect(colleague.body.days?.[0]?.date).toBe(today());
  });

  it("keeps the time after the user goes offline, and stops counting then", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    await sleep(1_100);
    socket.close();
    const me = await token(user);
    await eventually(async () => (await (await call("/v1/presence/me", { token: me })).json<{ status: string }>()).status === "offline", 5000, "offline");
    const first = (await daysOf("me", me)).body.days?.[0]?.online ?? 0;
    expect(first).toBeGreaterThanOrEqual(1);
    await sleep(1_500);
    expect((await daysOf("me", me)).body.days?.[0]?.online).toBe(first);
  });

  it("is empty, in the same shape as an unknown user's, for a viewer the rule hides the user's last-seen from", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser();
    await connectDevice(user, { org });
    await sleep(1_100);
    const stranger = await token(uniqueUser(), { org: uniqueUser("other") });
    const unknown = uniqueUser("never");
    expect(await daysOf(user, stranger)).toEqual({ status: 200, body: { user, days: [] } });
    expect(await daysOf(unknown, stranger)).toEqual({ status: 200, body: { user: unknown, days: [] } });

    const colleague = await token(uniqueUser(), { org });
    expect((await daysOf(user, colleague)).body.days).toHaveLength(1);
    const put = await call("/v1/privacy/me", { method: "PUT", token: await token(user, { org }), json: { lastSeen: "nobody" } });
    expect(put.status).toBe(200);
    expect(await daysOf(user, colleague)).toEqual({ status: 200, body: { user, days: [] } });
  });

  it("refuses days outside 1 to 90", async () => {
    const me = await token(uniqueUser());
    for (const days of [0, 91]) {
      const { status, body } = await daysOf("me", me, days);
      expect(status).toBe(400);
      expect(body.error?.code).toBe("invalid_request");
    }
  });
});
