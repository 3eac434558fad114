import { describe, expect, it } from "vitest";
import { call, connectDevice, eventually, sleep, testEnv, timers, token, uniqueUser, type TestSocket } from "../helpers";
import { deliveriesFor, eventsFor, failNext, verifies } from "./receiver";

/** Pings like a client would, so a socket outlives the heartbeat timeout while a test waits. */
function keepAlive(socket: TestSocket): () => void {
  const timer = setInterval(() => socket.send("ping"), 400);
  return () => clearInterval(timer);
}

const statuses = async (user: string) => (await eventsFor(user)).map((event) => event.status);

describe("presence webhooks", () => {
  it("sends online, away, busy and offline with lastSeen, each with the previous status and a rising rev", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    const stop = keepAlive(socket);
    await eventually(async () => (await statuses(user)).includes("online"), 5000, "online event");
    await eventually(async () => (await statuses(user)).includes("away"), timers.awayAfterMs + 3000, "away event");
    socket.send({ type: "status", status: "busy" });
    await eventually(async () => (await statuses(user)).includes("busy"), 5000, "busy event");
    stop();
    socket.close();
    await eventually(async () => (await statuses(user)).includes("offline"), timers.disconnectGraceMs + 5000, "offline event");

    const events = await eventsFor(user);
    expect(events.map(({ status, previous }) => [previous, status])).toEqual([
      ["offline", "online"],
      ["online", "away"],
      ["away", "busy"],
      ["busy", "offline"],
    ]);
    for (const event of events) expect(event).toMatchObject({ type: "presence.changed", user, id: expect.any(String), at: expect.any(Number) });
    expect(new Set(events.map((event) => event.id)).size).toBe(4);
    const revs = events.map((event) => event.rev);
    expect(revs).toEqual([...revs].sort((a, b) => a - b));
    expect(new Set(revs).size).toBe(4);
    const offline = events[3];
    expect(offline?.lastSeen).toEqual(expect.any(Number));
    expect(offline?.lastSeen).toBeLessThanOrEqual(offline?.at ?? 0);
    expect(events[0]).not.toHaveProperty("lastSeen");
  });

  it("sends nothing for a reconnect within the grace window", async () => {
    const user = uniqueUser();
    const first = await connectDevice(user, { device: "phone" });
    await eventually(async () => (await statuses(user)).includes("online"), 5000, "online event");
    first.socket.close();
    await sleep(timers.disconnectGraceMs / 3);
    await connectDevice(user, { device: "phone" });
    await sleep(timers.disconnectGraceMs + 1500);
    expect(await statuses(user)).toEqual(["online"]);
  });

  it("sends offline when the user goes invisible and nothing while they stay so", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    const stop = keepAlive(socket);
    await eventually(async () => (await statuses(user)).includes("online"), 5000, "online event");
    socket.send({ type: "status", status: "invisible" });
    await eventually(async () => (await statuses(user)).includes("offline"), 5000, "offline event");
    socket.send({ type: "status", status: "invisible", text: "shh" });
    await sleep(timers.awayAfterMs + 1500);
    expect(await statuses(user)).toEqual(["online", "offline"]);
    socket.send({ type: "status", status: "auto" });
    await eventually(async () => (await statuses(user)).length === 3, 5000, "back online");
    expect(await statuses(user)).toEqual(["online", "offline", "online"]);
    stop();
  });

  it("batches events of many users into one signed POST that verifies with the secret", async () => {
    const users = Array.from({ length: 6 }, () => uniqueUser("batch"));
    await Promise.all(users.map((user) => connectDevice(user)));
    await eventually(async () => (await Promise.all(users.map(statuses))).every((seen) => seen.includes("online")), 5000, "all online");
    const deliveries = await deliveriesFor(users[0] ?? "");
    const batch = deliveries.find((delivery) => delivery.status === 200);
    expect(batch).toBeDefined();
    if (!batch?.signature) throw new Error("no signed delivery");
    // Joins within a second travel together: one POST carries several of these users.
    expect(users.filter((user) => batch.users.includes(user)).length).toBeGreaterThan(1);
    expect(await verifies(batch.signature, batch.body, testEnv.WEBHOOK_SECRET)).toBe(true);
    expect(await verifies(batch.signature, batch.body, "another-secret")).toBe(false);
    expect(await verifies(batch.signature, batch.body.replace("online", "offline"), testEnv.WEBHOOK_SECRET)).toBe(false);
  });

  it("posts a batch the receiver answered 500 again, with the same events", async () => {
    const user = uniqueUser();
    await failNext(user, 1);
    await connectDevice(user);
    await eventually(async () => (await deliveriesFor(user)).some((delivery) => delivery.status === 200), 8000, "a delivery accepted");
    const [refused, accepted] = await deliveriesFor(user);
    expect(refused?.status).toBe(500);
    expect(accepted?.status).toBe(200);
    expect(accepted?.attempt).toBe("2");
    const idsOf = (body: string | undefined) => (JSON.parse(body ?? "{}") as { events: { id: string; user: string }[] }).events.filter((e) => e.user === user).map((e) => e.id);
    // The refused batch comes again whole (a later event of the user may ride along).
    expect(idsOf(refused?.body)).toHaveLength(1);
    expect(idsOf(accepted?.body)).toEqual(expect.arrayContaining(idsOf(refused?.body)));
  });

  it("orders one user's events by rev, so a stale retry can be told from a newer event", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    for (const status of ["busy", "away", "online", "busy", "invisible", "auto"]) {
      socket.send({ type: "status", status });
      await sleep(30);
    }
    await eventually(async () => (await eventsFor(user)).length >= 7, 6000, "seven events");
    const events = await eventsFor(user);
    const byRev = [...events].sort((a, b) => a.rev - b.rev);
    // Each event's `previous` is the status of the one before it by rev: the chain is whole.
    byRev.forEach((event, index) => expect(event.previous).toBe(index === 0 ? "offline" : byRev[index - 1]?.status));
    expect(byRev.map((event) => event.status)).toEqual(["online", "busy", "away", "online", "busy", "offline", "online"]);
  });

  it("sends offline at once when the user is erased, without waiting for the grace window", async () => {
    const user = uniqueUser();
    await connectDevice(user);
    await eventually(async () => (await statuses(user)).includes("online"), 5000, "online event");
    const erased = await call(`/v1/users/${user}`, { method: "DELETE", token: "service-key-one-0123456789abcdef0123456789" });
    expect(erased.status).toBe(204);
    await eventually(async () => (await statuses(user)).includes("offline"), 5000, "offline event");
    const [online, offline] = await eventsFor(user);
    expect(offline).toMatchObject({ previous: "online", status: "offline", lastSeen: expect.any(Number) });
    expect(offline?.rev).toBeGreaterThan(online?.rev ?? 0);
  });

  it("counts a status chosen over REST like one chosen by a frame", async () => {
    const user = uniqueUser();
    await connectDevice(user);
    const response = await call("/v1/presence/me", { method: "PUT", token: await token(user), json: { status: "busy" } });
    expect(response.status).toBe(200);
    await eventually(async () => (await statuses(user)).includes("busy"), 5000, "busy event from REST");
  });
});
