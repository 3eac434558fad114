import { afterEach, describe, expect, it } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import { PresenceClient, RestError, type Message, type PresenceClientOptions, type PresenceView } from "../../packages/client/src";
import { MAX_FRAME_BYTES, TYPING_SHOWS_MS } from "../../src/protocol/constants";
import { call, connectDevice, eventually, presenceStub, sleep, timers, token, uniqueUser, type Frame } from "../helpers";
import { nextEvent, recordEvents } from "./events";
import { fetchInWorker, recordingFetch } from "./fetches";
import { BASE_URL, recordingOpener, scriptedOpener, type RecordingOpener, type ScriptedSocket } from "./sockets";
import { trackTimers } from "./timers";

const FAST_BACKOFF = { baseMs: 20, capMs: 100 };
/** Well under the test's OFFLINE_AFTER_MS, so the server never drops a client for silence. */
const PING_INTERVAL_MS = 500;
const open: PresenceClient[] = [];

afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

/** Every user here is in one org, so they may see each other (and focus on each other). */
const ORG = "sdk-tests";

function connect(user: string, options: Partial<PresenceClientOptions> = {}, opener: RecordingOpener = recordingOpener()) {
  const client = new PresenceClient({
    baseUrl: BASE_URL,
    token: () => token(user, { org: ORG }),
    openSocket: opener.openSocket,
    backoff: FAST_BACKOFF,
    pingIntervalMs: PING_INTERVAL_MS,
    fetch: fetchInWorker,
    ...options,
  });
  open.push(client);
  return { client, opener };
}

async function viewOf(user: string) {
  const response = await call(`/v1/presence/${user}`, { token: await token(user) });
  return (await response.json()) as { status: string; text: string | null; devices: unknown[] };
}

describe("PresenceClient", () => {
  it("does not reconnect after a sign-out everywhere (4004) until its token provider gives a newer token", async () => {
    const user = uniqueUser();
    let issuedAt = Math.floor(Date.now() / 1000) - 10;
    const { client, opener } = connect(user, { token: () => token(user, { issuedAt }) });
    await nextEvent(client, "presence");
    const response = await call(`/v1/users/${user}/disconnect`, { method: "POST", token: "service-key-one-0123456789abcdef0123456789" });
    expect(response.status).toBe(204);
    await nextEvent(client, "state", (change) => change.code === 4004);
    await sleep(500);
    expect(opener.urls).toHaveLength(1);
    issuedAt = Math.floor(Date.now() / 1000) + 1;
    await nextEvent(client, "presence");
    expect(opener.urls).toHaveLength(2);
  });

  it("sends a fresh token ahead of exp, so the server never closes the socket for an expired one", async () => {
    const user = uniqueUser();
    let asked = 0;
    const { client } = connect(user, { token: () => token(user, { ttlSeconds: asked++ === 0 ? 3 : 3600 }) });
    await nextEvent(client, "presence");
    const states = recordEvents(client, "state");
    await sleep(4000);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(states).toEqual([]);
    expect(client.state).toBe("open");
  });

  it("emits the user's own presence from hello, with this device in it", async () => {
    const user = uniqueUser();
    const { client } = connect(user, { device: "phone-1", deviceType: "mobile" });
    const presence = await nextEvent(client, "presence");
    expect(presence).toMatchObject({ user, status: "online", devices: [{ id: "phone-1", type: "mobile", idle: false }] });
    expect(client.presence).toEqual(presence);
    expect(client.state).toBe("open");
  });

  it("round-trips a status change: the server applies it and the client hears it back", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await nextEvent(client, "presence");
    client.setStatus("busy", "in a meeting");
    const presence = await nextEvent(client, "presence");
    expect(presence).toMatchObject({ status: "busy", text: "in a meeting" });
    expect(await viewOf(user)).toMatchObject({ status: "busy", text: "in a meeting" });
  });

  it("sends a status chosen before the socket opened as soon as it is", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    client.setStatus("away");
    expect(await nextEvent(client, "presence", (presence) => presence.status === "away")).toMatchObject({ user });
  });

  it("follows the server's idle timer: away when idle, online again on activity", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await nextEvent(client, "presence");
    await nextEvent(client, "presence", (presence) => presence.status === "away", timers.awayAfterMs + 3000);
    client.activity();
    expect(await nextEvent(client, "presence")).toMatchObject({ status: "online" });
  });

  it("tells a partner when this device focuses on them and when it blurs", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const { client: bobClient } = connect(bob);
    const { client: aliceClient } = connect(alice);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    aliceClient.focus(bob);
    expect(await nextEvent(bobClient, "focus")).toEqual({ user: alice, active: true });
    expect([...bobClient.focusedBy]).toEqual([alice]);
    aliceClient.blur();
    expect(await nextEvent(bobClient, "focus")).toEqual({ user: alice, active: false });
    expect(bobClient.focusedBy.size).toBe(0);
  });

  it("reports a frame the server refused as an error event", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await nextEvent(client, "presence");
    client.focus(user);
    expect(await nextEvent(client, "error")).toMatchObject({ code: "invalid_frame" });
    expect(client.state).toBe("open");
  });

  it("sends the ping heartbeat, so the server keeps the device past OFFLINE_AFTER_MS", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, { pingIntervalMs: 400 });
    await nextEvent(client, "presence");
    await sleep(timers.offlineAfterMs + 1000);
    expect(opener.sent.filter((text) => text === "ping").length).toBeGreaterThanOrEqual(5);
    expect(opener.urls).toHaveLength(1);
    expect(client.state).toBe("open");
    expect((await viewOf(user)).devices).toHaveLength(1);
  });

  it("reconnects after the server closes the socket for a missed heartbeat", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, { pingIntervalMs: 60_000, device: "laptop" });
    await nextEvent(client, "presence");
    const drop = await nextEvent(client, "state", (change) => change.state === "reconnecting", timers.offlineAfterMs + 8000);
    expect(drop.code).toBe(4000);
    expect(drop.retryInMs).toBeLessThanOrEqual(FAST_BACKOFF.capMs);
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(opener.urls).toHaveLength(2);
    expect(opener.urls[1]).toContain("device=laptop");
  });

  it("asks the token provider again for every reconnect", async () => {
    const user = uniqueUser();
    const issued: string[] = [];
    const { client, opener } = connect(user, {
      token: async () => {
        const fresh = await token(user, { name: `token ${issued.length + 1}` });
        issued.push(fresh);
        return fresh;
      },
    });
    await nextEvent(client, "presence");
    await evictDurableObject(presenceStub(user), { webSockets: "close" });
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(issued).toHaveLength(2);
    expect(issued[0]).not.toBe(issued[1]);
    expect(opener.urls[1]).toContain(`token=${issued[1]}`);
  });

  it("focuses on the partner again over the new socket after a reconnect", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const { client: bobClient } = connect(bob);
    // Alice sends no heartbeat, so the server drops her socket (and her focus) after OFFLINE_AFTER_MS.
    const { client: aliceClient } = connect(alice, { pingIntervalMs: 60_000 });
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    aliceClient.focus(bob);
    await nextEvent(bobClient, "focus", (notice) => notice.active);
    const notices = recordEvents(bobClient, "focus");
    await nextEvent(aliceClient, "state", (change) => change.state === "reconnecting", timers.offlineAfterMs + 8000);
    await nextEvent(bobClient, "focus", (notice) => notice.active);
    expect(notices).toEqual([
      { user: alice, active: false },
      { user: alice, active: true },
    ]);
    expect([...bobClient.focusedBy]).toEqual([alice]);
  });

  it("forgets a focus that ended while it was disconnected", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const { client: aliceClient } = connect(alice);
    // Bob sends no heartbeat, so the server drops him; Alice blurs before he is back.
    const bobOpener = recordingOpener({
      beforeReopen: async () => {
        aliceClient.blur();
        await sleep(300);
      },
    });
    const { client: bobClient } = connect(bob, { pingIntervalMs: 60_000 }, bobOpener);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    aliceClient.focus(bob);
    await nextEvent(bobClient, "focus", (notice) => notice.active);
    const ended = await nextEvent(bobClient, "focus", () => true, timers.offlineAfterMs + 8000);
    expect(ended).toEqual({ user: alice, active: false });
    expect(bobClient.state).toBe("open");
    expect(bobOpener.urls).toHaveLength(2);
    expect(bobClient.focusedBy.size).toBe(0);
  });

  it("does not reconnect once another connection took over its device id (4001)", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, { device: "tab" });
    await nextEvent(client, "presence");
    const closed = nextEvent(client, "state", (change) => change.state === "closed");
    await connectDevice(user, { device: "tab" });
    expect(await closed).toEqual({ state: "closed", code: 4001 });
    await sleep(FAST_BACKOFF.capMs * 5);
    expect(opener.urls).toHaveLength(1);
    expect(client.state).toBe("closed");
  });

  it("leaves no socket, timer or event behind after close()", async () => {
    const user = uniqueUser();
    const timers = trackTimers();
    try {
      const { client, opener } = connect(user, { pingIntervalMs: 100 });
      await nextEvent(client, "presence");
      await sleep(150);
      const states = recordEvents(client, "state");
      const presences = recordEvents(client, "presence");
      client.close();
      expect(timers.pending()).toBe(0);
      const sentAtClose = opener.sent.length;
      await sleep(1000);
      expect(states).toEqual([{ state: "closed" }]);
      expect(presences).toEqual([]);
      expect(opener.sent.length).toBe(sentAtClose);
      expect(opener.urls).toHaveLength(1);
      await eventually(async () => (await viewOf(user)).devices.length === 0, 3000, "the device leaving");
    } finally {
      timers.restore();
    }
  });

  it("opens no socket at all when closed while still fetching its token", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, {
      token: async () => {
        await sleep(200);
        return token(user);
      },
    });
    client.close();
    await sleep(500);
    expect(opener.urls).toHaveLength(0);
    expect((await viewOf(user)).status).toBe("offline");
  });

  it("replaces a socket that stops answering the heartbeat", async () => {
    const user = uniqueUser();
    const opener = recordingOpener({ drop: (data) => data === "pong" });
    const { client } = connect(user, { pingIntervalMs: 200, pongTimeoutMs: 300 }, opener);
    await nextEvent(client, "presence");
    const drop = await nextEvent(client, "state", (change) => change.state === "reconnecting", 3000);
    expect(drop.code).toBe(4100);
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(opener.urls).toHaveLength(2);
  });
});

/** A user who connected once in the tests' org and left: known, offline. */
async function offlineUser(prefix: string): Promise<string> {
  const user = uniqueUser(prefix);
  const { socket } = await connectDevice(user, { org: ORG });
  socket.close();
  await socket.closed();
  return user;
}

/** The messages the service keeps for `user`, unacknowledged. */
async function storedFor(user: string): Promise<Message[]> {
  const response = await call("/v1/messages/inbox", { token: await token(user, { org: ORG }) });
  return ((await response.json()) as { messages: Message[] }).messages;
}

describe("PresenceClient messages", () => {
  it("sends to an offline user, who gets the message from the inbox on connecting and acknowledges it", async () => {
    const [alice, bob] = [uniqueUser("alice"), await offlineUser("bob")];
    const { client: aliceClient } = connect(alice);
    const sent = await aliceClient.send(bob, { text: "hi" });
    expect(sent).toMatchObject({ delivered: false, read: false });
    const { client: bobClient } = connect(bob);
    const messages = recordEvents(bobClient, "message");
    const inbox = await nextEvent(bobClient, "inbox");
    expect(inbox).toEqual([{ id: sent.id, from: alice, body: { text: "hi" }, sentAt: sent.sentAt, read: false }]);
    expect(messages).toEqual(inbox);
    await eventually(async () => (await storedFor(bob)).length === 0, 3000, "the message being acknowledged");
  });

  it("acknowledges a message delivered live, so it does not come again after a reconnect", async () => {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const { client: bobClient } = connect(bob);
    const { client: aliceClient } = connect(alice);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    const received = nextEvent(bobClient, "message");
    const sent = await aliceClient.send(bob, "live");
    expect(sent).toMatchObject({ delivered: true });
    expect(await received).toMatchObject({ id: sent.id, body: "live" });
    await eventually(async () => (await storedFor(bob)).length === 0, 3000, "the message being acknowledged");
  });

  it("keeps a message until read, then the sender gets a read receipt and the service lets it go", async () => {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const { client: bobClient } = connect(bob);
    bobClient.on("message", (message) => bobClient.keepUntilRead(message.id));
    const { client: aliceClient } = connect(alice);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    const received = nextEvent(bobClient, "message");
    const sent = await aliceClient.send(bob, "read me later");
    const message = await received;
    await sleep(300);
    expect((await storedFor(bob)).map((stored) => stored.id)).toEqual([sent.id]);
    bobClient.markRead([message.id]);
    expect(await nextEvent(aliceClient, "receipt", (receipt) => receipt.state === "read")).toEqual({ id: sent.id, to: bob, state: "read" });
    await eventually(async () => (await storedFor(bob)).length === 0, 3000, "the message being acknowledged");
  });

  it("tells the sender when a stored message reaches a device", async () => {
    const [alice, bob] = [uniqueUser("alice"), await offlineUser("bob")];
    const { client: aliceClient } = connect(alice);
    await nextEvent(aliceClient, "presence");
    const sent = await aliceClient.send(bob, "waiting");
    const receipt = nextEvent(aliceClient, "receipt");
    connect(bob);
    expect(await receipt).toEqual({ id: sent.id, to: bob, state: "delivered" });
  });

  it("relays typing to the other user, shown until about TYPING_SHOWS_MS ahead", async () => {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const { client: bobClient } = connect(bob);
    const { client: aliceClient } = connect(alice);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    const before = Date.now();
    aliceClient.typing(bob);
    const notice = await nextEvent(bobClient, "typing");
    expect(notice.user).toBe(alice);
    expect(notice.until).toBeGreaterThanOrEqual(before + TYPING_SHOWS_MS - 1000);
    expect(notice.until).toBeLessThanOrEqual(Date.now() + TYPING_SHOWS_MS + 1000);
  });

  it("throws a refused send as a RestError: an unknown user is forbidden", async () => {
    const { client } = connect(uniqueUser("alice"));
    const sending = client.send("never-connected-user", "hello?");
    await expect(sending).rejects.toBeInstanceOf(RestError);
    await expect(sending).rejects.toMatchObject({ status: 403, code: "forbidden" });
  });
});

/** Long enough that no heartbeat timer fires during a test. */
const NO_TIMER_MS = 60_000;

function viewOfUser(user: string, status: PresenceView["status"] = "online"): PresenceView {
  return { user, status, text: null, lastActive: 1_000, lastSeen: null, devices: [] };
}

/** Opens the socket and sends the `hello` a server greets a device with. */
function greet(socket: ScriptedSocket): void {
  socket.open();
  socket.receive({ type: "hello", user: "me", device: "tab", presence: viewOfUser("me") });
}

/** Lets the microtasks queued so far (and the subscription frames they send) run. */
const nextTask = () => sleep(0);

/** A client whose server the test plays; the first socket is open and greeted unless told otherwise. */
async function scriptedClient({ greeted = true } = {}) {
  const opener = scriptedOpener();
  const client = new PresenceClient({
    baseUrl: BASE_URL,
    token: "not-a-jwt",
    device: "tab",
    openSocket: opener.openSocket,
    backoff: { baseMs: 1, capMs: 1 },
    random: () => 0,
    pingIntervalMs: NO_TIMER_MS,
    pongTimeoutMs: NO_TIMER_MS,
  });
  open.push(client);
  const socket = await opener.socket(0);
  if (greeted) greet(socket);
  return { client, opener, socket };
}

describe("PresenceClient subscriptions", () => {
  it("sends a subscribe frame for the users it starts following", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob"] }]);
    expect([...client.subscriptions]).toEqual(["alice", "bob"]);
  });

  it("sends subscribe calls made in one task as one frame, each user once", async () => {
    const { client, socket } = await scriptedClient();
    for (const user of ["alice", "bob", "alice", "carol"]) client.subscribe([user]);
    client.subscribe(["bob"]);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob", "carol"] }]);
  });

  it("splits a long list into frames of at most MAX_FRAME_BYTES", async () => {
    const { client, socket } = await scriptedClient();
    const users = Array.from({ length: 500 }, (_, index) => `user-${index}-`.padEnd(128, "x"));
    client.subscribe(users);
    await nextTask();
    const sent = socket.sent.filter((data) => data !== "ping");
    expect(sent.length).toBeGreaterThan(1);
    for (const data of sent) expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(socket.frames().flatMap((frame) => frame.users)).toEqual(users);
  });

  it("refuses to follow more than 500 users, following no one new", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(Array.from({ length: 499 }, (_, index) => `user-${index}`));
    expect(() => client.subscribe(["alice", "bob"])).toThrow(RangeError);
    await nextTask();
    expect(client.subscriptions.size).toBe(499);
    expect(socket.frames().flatMap((frame) => frame.users)).not.toContain("alice");
  });

  it("sends subscriptions made before hello once, after it", async () => {
    const { client, socket } = await scriptedClient({ greeted: false });
    client.subscribe(["alice"]);
    await nextTask();
    socket.open();
    client.subscribe(["bob"]);
    await nextTask();
    expect(socket.frames()).toEqual([]);
    greet(socket);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob"] }]);
  });

  it("subscribes to its whole set again over the new socket after a reconnect", async () => {
    const { client, opener, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    await nextTask();
    socket.drop(1006);
    client.unsubscribe(["alice"]);
    client.subscribe(["carol"]);
    const next = await opener.socket(1);
    next.open();
    client.subscribe(["dave"]);
    await nextTask();
    expect(next.frames()).toEqual([]);
    greet(next);
    await nextTask();
    expect(next.frames()).toEqual([{ type: "subscribe", users: ["bob", "carol", "dave"] }]);
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob"] }]);
  });

  it("emits changed for each user of a subscribed frame and for each changed frame", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    const changes = recordEvents(client, "changed");
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice"), bob: viewOfUser("bob", "offline") } });
    socket.receive({ type: "changed", presence: viewOfUser("alice", "busy") });
    expect(changes).toEqual([viewOfUser("alice"), viewOfUser("bob", "offline"), viewOfUser("alice", "busy")]);
  });

  it("tells the latest view of each subscribed user", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    expect(client.presenceOf("alice")).toBeUndefined();
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice"), bob: viewOfUser("bob") } });
    socket.receive({ type: "changed", presence: viewOfUser("alice", "away") });
    expect(client.presenceOf("alice")).toEqual(viewOfUser("alice", "away"));
    expect(client.presenceOf("bob")).toEqual(viewOfUser("bob"));
  });

  it("unsubscribes with a frame, and forgets the user's view", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice"), bob: viewOfUser("bob") } });
    await nextTask();
    client.unsubscribe(["alice", "dave"]);
    expect(client.presenceOf("alice")).toBeUndefined();
    await nextTask();
    expect(socket.frames().at(-1)).toEqual({ type: "unsubscribe", users: ["alice"] });
    expect([...client.subscriptions]).toEqual(["bob"]);
  });

  it("ignores a view of a user unsubscribed since it was sent", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice"]);
    await nextTask();
    client.unsubscribe(["alice"]);
    const changes = recordEvents(client, "changed");
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice") } });
    socket.receive({ type: "changed", presence: viewOfUser("alice", "busy") });
    expect(changes).toEqual([]);
    expect(client.presenceOf("alice")).toBeUndefined();
  });

  it("sends nothing for a user unsubscribed and subscribed again within one task, and keeps their view", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice"]);
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice", "busy") } });
    await nextTask();
    client.unsubscribe(["alice"]);
    client.subscribe(["alice"]);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice"] }]);
    expect(client.presenceOf("alice")).toEqual(viewOfUser("alice", "busy"));
  });
});

describe("PresenceClient setStatus", () => {
  it("sends until with the status when given, and leaves it out otherwise", async () => {
    const { client, socket } = await scriptedClient();
    const until = Date.now() + 60 * 60 * 1000;
    client.setStatus("busy", "in a meeting", until);
    client.setStatus("away");
    expect(socket.frames()).toEqual([
      { type: "status", status: "busy", text: "in a meeting", until },
      { type: "status", status: "away" },
    ]);
  });
});

/** A message as the service delivers it. */
const message = (id: string, from = "alice"): Message => ({ id, from, body: { text: id }, sentAt: 1_000, read: false });

/** The acknowledgement and read frames sent on a socket. */
const idFrames = (socket: ScriptedSocket) => socket.frames().filter((frame: Frame) => frame.type === "ack" || frame.type === "read");

/** Longer than the spacing between two flushes of acknowledgements. */
const AFTER_SPACING_MS = 400;

describe("PresenceClient receiving messages", () => {
  it("emits each message once, from message and inbox frames alike", async () => {
    const { client, socket } = await scriptedClient();
    const messages = recordEvents(client, "message");
    socket.receive({ type: "message", message: message("m1") });
    socket.receive({ type: "inbox", messages: [message("m1"), message("m2")] });
    socket.receive({ type: "message", message: message("m2") });
    expect(messages.map((received) => received.id)).toEqual(["m1", "m2"]);
  });

  it("emits an inbox frame's new messages as one batch, after their message events", async () => {
    const { client, socket } = await scriptedClient();
    const seen: string[] = [];
    client.on("message", (received) => seen.push(received.id));
    client.on("inbox", (batch) => seen.push(`inbox ${batch.map((received) => received.id).join(",")}`));
    socket.receive({ type: "message", message: message("m1") });
    socket.receive({ type: "inbox", messages: [message("m1"), message("m2"), message("m3")] });
    socket.receive({ type: "inbox", messages: [message("m2")] });
    expect(seen).toEqual(["m1", "m2", "m3", "inbox m2,m3"]);
  });

  it("acknowledges messages after the listeners ran, those of one task in one frame", async () => {
    const { client, socket } = await scriptedClient();
    const sentWhileHandling: unknown[] = [];
    client.on("message", () => sentWhileHandling.push(...idFrames(socket)));
    socket.receive({ type: "inbox", messages: [message("m1"), message("m2")] });
    socket.receive({ type: "message", message: message("m3") });
    expect(sentWhileHandling).toEqual([]);
    await nextTask();
    expect(idFrames(socket)).toEqual([{ type: "ack", ids: ["m1", "m2", "m3"] }]);
  });

  it("acknowledges a message that comes again without emitting it (its first ack was lost)", async () => {
    const { client, socket } = await scriptedClient();
    socket.receive({ type: "message", message: message("m1") });
    await sleep(AFTER_SPACING_MS);
    const messages = recordEvents(client, "message");
    socket.receive({ type: "inbox", messages: [message("m1")] });
    await nextTask();
    expect(messages).toEqual([]);
    expect(idFrames(socket)).toEqual([
      { type: "ack", ids: ["m1"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("does not acknowledge a message a listener threw on, and emits it again when it comes again", async () => {
    const { client, socket } = await scriptedClient();
    let failing = true;
    const seen: string[] = [];
    client.on("message", (received) => {
      seen.push(received.id);
      if (failing && received.id === "m1") throw new Error("could not save it");
    });
    socket.receive({ type: "inbox", messages: [message("m1"), message("m2")] });
    await nextTask();
    expect(idFrames(socket)).toEqual([{ type: "ack", ids: ["m2"] }]);
    failing = false;
    await sleep(AFTER_SPACING_MS);
    socket.receive({ type: "inbox", messages: [message("m1")] });
    await nextTask();
    expect(seen).toEqual(["m1", "m2", "m1"]);
    expect(idFrames(socket)).toEqual([
      { type: "ack", ids: ["m2"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("sends acknowledgements a dropped socket could not take after the next hello", async () => {
    const { socket, opener } = await scriptedClient();
    socket.receive({ type: "message", message: message("m1") });
    socket.drop(1006);
    await nextTask();
    const next = await opener.socket(1);
    greet(next);
    await nextTask();
    expect(idFrames(socket)).toEqual([]);
    expect(idFrames(next)).toEqual([{ type: "ack", ids: ["m1"] }]);
  });

  it("spaces acknowledgements of messages arriving one after another, at most one frame per 250 ms", async () => {
    const { socket } = await scriptedClient();
    socket.receive({ type: "message", message: message("m1") });
    await nextTask();
    socket.receive({ type: "message", message: message("m2") });
    await nextTask();
    socket.receive({ type: "message", message: message("m3") });
    await nextTask();
    expect(idFrames(socket)).toEqual([{ type: "ack", ids: ["m1"] }]);
    await sleep(AFTER_SPACING_MS);
    expect(idFrames(socket)).toEqual([
      { type: "ack", ids: ["m1"] },
      { type: "ack", ids: ["m2", "m3"] },
    ]);
  });

  it("keeps a message until read: no ack until markRead names it, then a read and the ack", async () => {
    const { client, socket } = await scriptedClient();
    client.on("message", (received) => client.keepUntilRead(received.id));
    socket.receive({ type: "message", message: message("m1") });
    socket.receive({ type: "inbox", messages: [message("m1")] });
    await sleep(AFTER_SPACING_MS);
    expect(idFrames(socket)).toEqual([]);
    client.markRead(["m1"]);
    await nextTask();
    expect(idFrames(socket)).toEqual([
      { type: "read", ids: ["m1"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("sends a read made in the message listener before the message's ack", async () => {
    const { client, socket } = await scriptedClient();
    client.on("message", (received) => client.markRead([received.id]));
    socket.receive({ type: "message", message: message("m1") });
    await nextTask();
    expect(idFrames(socket)).toEqual([
      { type: "read", ids: ["m1"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("emits receipts and typing notices", async () => {
    const { client, socket } = await scriptedClient();
    const receipts = recordEvents(client, "receipt");
    const typing = recordEvents(client, "typing");
    socket.receive({ type: "receipt", id: "m1", to: "bob", state: "read" });
    socket.receive({ type: "typing", user: "bob", until: 123_456 });
    expect(receipts).toEqual([{ id: "m1", to: "bob", state: "read" }]);
    expect(typing).toEqual([{ user: "bob", until: 123_456 }]);
  });

  it("leaves no timer behind when closed with acknowledgements waiting", async () => {
    const timers = trackTimers();
    try {
      const { client, socket } = await scriptedClient();
      socket.receive({ type: "message", message: message("m1") });
      await nextTask();
      socket.receive({ type: "message", message: message("m2") });
      await nextTask();
      client.close();
      expect(timers.pending()).toBe(0);
    } finally {
      timers.restore();
    }
  });
});

describe("PresenceClient typing", () => {
  it("sends at most one typing notice a second, whoever it is to", async () => {
    const { client, socket } = await scriptedClient();
    client.typing("bob");
    client.typing("bob");
    client.typing("carol");
    expect(socket.frames()).toEqual([{ type: "typing", to: "bob" }]);
    await sleep(1_050);
    client.typing("carol");
    expect(socket.frames()).toEqual([
      { type: "typing", to: "bob" },
      { type: "typing", to: "carol" },
    ]);
  });

  it("tries again at the next keystroke when no socket was open", async () => {
    const { client, socket } = await scriptedClient({ greeted: false });
    client.typing("bob");
    greet(socket);
    client.typing("bob");
    expect(socket.frames()).toEqual([{ type: "typing", to: "bob" }]);
  });
});

describe("PresenceClient send", () => {
  const answer = { id: "server-id", sentAt: 1_000, delivered: false, read: false };

  function sendingClient(fetch: PresenceClientOptions["fetch"]) {
    const client = new PresenceClient({ baseUrl: BASE_URL, token: "the-token", fetch, openSocket: scriptedOpener().openSocket });
    open.push(client);
    return client;
  }

  it("posts the message with a fresh id and the bearer token, and resolves to the answer", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json(answer));
    const client = sendingClient(fetch);
    expect(await client.send("bob", { text: "hi" })).toEqual(answer);
    await client.send("bob", "again");
    expect(requests[0]).toMatchObject({
      url: `${BASE_URL}/v1/messages`,
      method: "POST",
      headers: { Authorization: "Bearer the-token", "Content-Type": "application/json" },
      body: { to: "bob", body: { text: "hi" }, id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    expect((requests[1]?.body as { id: string }).id).not.toBe((requests[0]?.body as { id: string }).id);
  });

  it("sends the id the app gives", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json(answer));
    await sendingClient(fetch).send("bob", "hi", { id: "my-id-1" });
    expect(requests[0]?.body).toEqual({ to: "bob", body: "hi", id: "my-id-1" });
  });

  it("sends once more with the same id when the request got no answer", async () => {
    const { fetch, requests } = recordingFetch((_, index) => {
      if (index === 0) throw new TypeError("network error");
      return Response.json(answer);
    });
    expect(await sendingClient(fetch).send("bob", "hi")).toEqual(answer);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.body).toEqual(requests[0]?.body);
  });

  it("gives up after a second network error", async () => {
    const { fetch, requests } = recordingFetch(() => {
      throw new TypeError("network error");
    });
    await expect(sendingClient(fetch).send("bob", "hi")).rejects.toThrow("network error");
    expect(requests).toHaveLength(2);
  });

  it("throws a refusal as a RestError, without sending again", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json({ error: { code: "inbox_full", message: "bob has too many messages waiting" } }, { status: 429 }));
    await expect(sendingClient(fetch).send("bob", "hi")).rejects.toMatchObject({ name: "RestError", status: 429, code: "inbox_full" });
    expect(requests).toHaveLength(1);
  });
});

describe("PresenceClient scopeHistory", () => {
  function historyClient(fetch: PresenceClientOptions["fetch"]) {
    const client = new PresenceClient({ baseUrl: BASE_URL, token: "the-token", fetch, openSocket: scriptedOpener().openSocket });
    open.push(client);
    return client;
  }

  it("asks for the scope's history with the bearer token, with only the span and step the app gives", async () => {
    const answer = { scope: "org:acme", step: 300, points: [{ t: 0, online: 2, away: 0, busy: 1 }] };
    const { fetch, requests } = recordingFetch(() => Response.json(answer));
    const client = historyClient(fetch);
    expect(await client.scopeHistory("org:acme", { from: 1_000, to: 2_000, step: 300 })).toEqual(answer);
    await client.scopeHistory("global");
    expect(requests).toMatchObject([
      { url: `${BASE_URL}/v1/scopes/org%3Aacme/history?from=1000&to=2000&step=300`, method: "GET", headers: { Authorization: "Bearer the-token" } },
      { url: `${BASE_URL}/v1/scopes/global/history`, method: "GET" },
    ]);
  });

  it("reads 24 h of 5-minute points from the service, the latest counting the user who came online", async () => {
    const org = uniqueUser("history-org");
    const user = uniqueUser("alice");
    const { client } = connect(user, { token: () => token(user, { org }) });
    await nextEvent(client, "presence");
    await eventually(async () => (await client.scopeHistory(`org:${org}`, { step: 300 })).points.at(-1)?.online === 1, 3000, "the history counting the user");
    const history = await client.scopeHistory(`org:${org}`, { step: 300 });
    expect(history).toMatchObject({ scope: `org:${org}`, step: 300 });
    expect(history.points).toHaveLength(289);
    expect(history.points.at(-1)!.t - history.points[0]!.t).toBe(24 * 60 * 60 * 1000);
  });

  it("throws a refusal as a RestError: another organisation's history is forbidden", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await expect(client.scopeHistory("org:someone-else")).rejects.toMatchObject({ name: "RestError", status: 403, code: "forbidden_scope" });
  });
});
