import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../src/rooms/room";
import { call, connectDevice, eventually, roomStub, token, uniqueUser } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";

interface Point {
  t: number;
  online: number;
  away: number;
  busy: number;
}

async function history(scope: string, bearer: string, query = ""): Promise<{ status: number; body: { scope?: string; step?: number; points?: Point[]; error?: { code: string } } }> {
  const response = await call(`/v1/scopes/${scope}/history${query}`, { token: bearer });
  return { status: response.status, body: (await response.json()) as never };
}

const latest = async (scope: string) => (await history(scope, SERVICE_KEY)).body.points?.at(-1);

describe("a scope's online history", () => {
  it("records the counts as they change and answers a point per minute of the last 24 h", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const alice = uniqueUser("alice");
    const { socket } = await connectDevice(alice, { org });
    await connectDevice(uniqueUser("bob"), { org });
    await eventually(async () => (await latest(scope))?.online === 2, 5000, "two online");
    socket.send({ type: "status", status: "busy" });
    await eventually(async () => (await latest(scope))?.busy === 1, 5000, "one busy");

    const { status, body } = await history(scope, await token(alice, { org }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ scope, step: 60 });
    const points = body.points ?? [];
    expect(points.length).toBeGreaterThanOrEqual(24 * 60);
    expect(points.length).toBeLessThanOrEqual(24 * 60 + 1);
    // The minute both were online and the minute one went busy are the same or adjacent: the max of each shows.
    expect(points.at(-1)).toMatchObject({ online: 2, busy: 1 });
    expect(points[0]).toMatchObject({ online: 0, away: 0, busy: 0 });
    const times = points.map((point) => point.t);
    expect(times.every((t, index) => index === 0 || t - (times[index - 1] ?? 0) === 60_000)).toBe(true);
  });

  it("groups minutes into 5-minute and hourly points", async () => {
    const org = uniqueUser("org");
    await connectDevice(uniqueUser(), { org });
    await eventually(async () => (await latest(`org:${org}`))?.online === 1, 5000, "one online");
    const now = Date.now();
    for (const [step, count] of [
      [300, 12],
      [3600, 2],
    ] as const) {
      const { body } = await history(`org:${org}`, SERVICE_KEY, `?from=${now - 3_600_000 + 1}&to=${now}&step=${step}`);
      expect(body.step).toBe(step);
      expect(body.points?.length).toBeGreaterThanOrEqual(count);
      expect(body.points?.length).toBeLessThanOrEqual(count + 1);
      expect(body.points?.at(-1)?.online).toBe(1);
      expect(body.points?.every((point) => point.t % (step * 1000) === 0)).toBe(true);
    }
  });

  it("follows count's access rules: own scopes and global for users, anything for service keys", async () => {
    const org = uniqueUser("org");
    const member = await token(uniqueUser(), { org });
    const stranger = await token(uniqueUser(), { org: uniqueUser("other") });
    expect((await history(`org:${org}`, member)).status).toBe(200);
    expect((await history("global", stranger)).status).toBe(200);
    const refused = await history(`org:${org}`, stranger);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe("forbidden_scope");
    expect((await call(`/v1/scopes/org:${org}/history`)).status).toBe(401);
  });

  it("refuses a bad step or a span over 7 days with a JSON 400", async () => {
    const now = Date.now();
    for (const query of ["?step=120", `?from=${now - 8 * 86_400_000}&to=${now}`, `?from=${now}&to=${now - 60_000}`, "?from=yesterday"]) {
      const { status, body } = await history("global", SERVICE_KEY, query);
      expect(status, query).toBe(400);
      expect(body.error?.code).toBe("invalid_request");
    }
  });
});

describe("the history table", () => {
  const rowsOf = (sql: SqlStorage) => sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM history_minutes").one().n;
  const inRoom = (fn: (room: Room, sql: SqlStorage) => void) =>
    runInDurableObject(roomStub(`org:${uniqueUser("org")}`), (instance: unknown, state) => fn((instance as { room: Room }).room, state.storage.sql));
  const DAY = 86_400_000;

  it("writes only when the counts change and keeps a week, carrying older counts into it", async () => {
    await inRoom(({ history }, sql) => {
      const now = Date.now();
      history.record({ online: 1, away: 0, busy: 0 }, now - 8 * DAY);
      history.record({ online: 2, away: 0, busy: 0 }, now - 8 * DAY + 60_000);
      expect(rowsOf(sql)).toBe(2);
      history.record({ online: 2, away: 0, busy: 0 }, now - 120_000);
      expect(rowsOf(sql)).toBe(2);
      // A write drops what is older than 7 days as it goes, keeping the counts it carried into the week.
      history.record({ online: 3, away: 0, busy: 0 }, now - 60_000);
      expect(rowsOf(sql)).toBe(2);
      const week = history.points(now - 7 * DAY + 60_000, now, 60);
      expect(week[0]?.online).toBe(2);
      expect(week.at(-1)?.online).toBe(3);
    });
  });

  it("still reads counts that held for more than a week, and forgets a week of nothing", async () => {
    await inRoom(({ history }, sql) => {
      const now = Date.now();
      history.record({ online: 4, away: 1, busy: 0 }, now - 9 * DAY);
      const nextPrune = history.prune(now) ?? 0;
      expect(history.points(now - DAY, now, 3600).every((point) => point.online === 4 && point.away === 1)).toBe(true);
      expect(rowsOf(sql)).toBe(1);
      // Pruned at most hourly: the carried row is a week old, so the next prune is an hour away.
      expect(nextPrune - now).toBeGreaterThan(50 * 60_000);
      expect(nextPrune - now).toBeLessThanOrEqual(61 * 60_000);
    });
    await inRoom(({ history }, sql) => {
      const now = Date.now();
      history.record({ online: 2, away: 0, busy: 0 }, now - 9 * DAY);
      history.record({ online: 0, away: 0, busy: 0 }, now - 8 * DAY);
      expect(history.prune(now)).toBeNull();
      expect(rowsOf(sql)).toBe(0);
    });
  });
});
