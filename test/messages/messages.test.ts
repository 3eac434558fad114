import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, connectDevice, eventually, presenceStub, sleep, token, uniqueUser, type Frame, type TestSocket } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";

async function send(from: string, to: string, body: unknown, options: { id?: string; org?: string } = {}) {
  const response = await call("/v1/messages", { method: "POST", token: await token(from, { org: options.org }), json: { to, body, ...(options.id ? { id: options.id } : {}) } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A user who connected once in `org` and left: known, offline. */
async function offlineUser(org: string, prefix = "offline"): Promise<string> {
  const user = uniqueUser(prefix);
  const { socket } = await connectDevice(user, { org });
  socket.close();
  await socket.closed();
  return user;
}

const ofType = (type: string) => (frame: Frame | string) => typeof frame !== "string" && frame.type === type;

describe("messages to an online receiver", () => {
  it("reach every device at once, and the sender's devices get a delivered receipt", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const sender = await connectDevice(alice, { org });
    const phone = await connectDevice(bob, { org, device: "phone" });
    const laptop = await connectDevice(bob, { org, device: "laptop" });
    const sent = await send(alice, bob, { text: "hi", n: [1, 2] }, { org });
    expect(sent).toMatchObject({ status: 200, body: { delivered: true, read: false } });
    for (const device of [phone, laptop]) {
      expect(await device.socket.nextOfType("message")).toEqual({
        type: "message",
        message: { id: sent.body.id, from: alice, body: { text: "hi", n: [1, 2] }, sentAt: sent.body.sentAt, read: false },
      });
    }
    expect(await sender.socket.nextOfType("receipt")).toEqual({ type: "receipt", id: sent.body.id, to: bob, state: "delivered" });
  });

  it("are read on arrival when a device of the receiver has the sender in focus", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const sender = await connectDevice(alice, { org });
    const receiver = await connectDevice(bob, { org });
    receiver.socket.send({ type: "focus", partner: alice });
    await sender.socket.nextOfType("focus");
    const sent = await send(alice, bob, "are you there?", { org });
    expect(sent.body).toMatchObject({ delivered: true, read: true });
    expect(await receiver.socket.nextOfType("message")).toMatchObject({ message: { read: true } });
    await sender.socket.next((frame) => ofType("receipt")(frame) && (frame as Frame).state === "read");
  });

  it("tell the sender nothing of an invisible receiver's devices, who still get them", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const sender = await connectDevice(alice, { org });
    const receiver = await connectDevice(bob, { org });
    receiver.socket.send({ type: "status", status: "invisible" });
    await receiver.socket.nextOfType("presence");
    receiver.socket.send({ type: "focus", partner: alice });
    const sent = await send(alice, bob, "psst", { org });
    expect(sent.body).toMatchObject({ delivered: false, read: false });
    expect(await receiver.socket.nextOfType("message")).toMatchObject({ message: { body: "psst" } });
    expect((await sender.socket.drain(300)).filter(ofType("receipt"))).toEqual([]);
  });
});

describe("messages to an offline receiver", () => {
  it("are stored, come as an inbox after hello, again until acknowledged, and receipts follow", async () => {
    const org = uniqueUser("org");
    const alice = uniqueUser("alice");
    const bob = await offlineUser(org, "bob");
    const sender = await connectDevice(alice, { org });
    const first = await send(alice, bob, "one", { org });
    const second = await send(alice, bob, "two", { org });
    expect(first.body).toMatchObject({ delivered: false, read: false });
    const device = await connectDevice(bob, { org, device: "phone" });
    const inbox = await device.socket.nextOfType("inbox");
    expect((inbox.messages as Frame[]).map((message) => message.body)).toEqual(["one", "two"]);
    const receipts = [await sender.socket.nextOfType("receipt"), await sender.socket.nextOfType("receipt")];
    expect(receipts.map((receipt) => [receipt.id, receipt.state])).toEqual([
      [first.body.id, "delivered"],
      [second.body.id, "delivered"],
    ]);
    device.socket.close();
    await device.socket.closed();
    const again = await connectDevice(bob, { org, device: "phone" });
    expect(((await again.socket.nextOfType("inbox")).messages as Frame[]).map((message) => message.id)).toEqual([first.body.id, second.body.id]);
    again.socket.send({ type: "ack", ids: [first.body.id] });
    again.socket.send({ type: "read", ids: [second.body.id] });
    await sender.socket.next((frame) => ofType("receipt")(frame) && (frame as Frame).state === "read");
    again.socket.close();
    await again.socket.closed();
    const third = await connectDevice(bob, { org, device: "phone" });
    expect(((await third.socket.nextOfType("inbox")).messages as Frame[]).map((message) => [message.id, message.read])).toEqual([[second.body.id, true]]);
  });

  it("send no receipt to a sender the receiver blocked, or hid from, after the message was sent", async () => {
    const org = uniqueUser("org");
    const alice = uniqueUser("alice");
    const bob = await offlineUser(org, "bob");
    const sender = await connectDevice(alice, { org });
    const sent = await send(alice, bob, "before the block", { org });
    await call("/v1/blocks/me", { method: "PUT", token: await token(bob, { org }), json: { add: [alice] } });
    const device = await connectDevice(bob, { org });
    expect((await device.socket.nextOfType("inbox")).messages).toMatchObject([{ id: sent.body.id }]);
    device.socket.send({ type: "read", ids: [sent.body.id as string] });
    expect((await sender.socket.drain(400)).filter(ofType("receipt"))).toEqual([]);
  });

  it("lose nothing when the receiver's object is evicted between store and delivery", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    const sent = await send(uniqueUser("alice"), bob, { kept: true }, { org });
    await evictDurableObject(presenceStub(bob));
    const device = await connectDevice(bob, { org });
    expect((await device.socket.nextOfType("inbox")).messages).toMatchObject([{ id: sent.body.id, body: { kept: true } }]);
  });

  it("are read and acknowledged over REST by clients without a socket", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    const alice = uniqueUser("alice");
    for (const n of [1, 2, 3]) await send(alice, bob, n, { org });
    const bearer = await token(bob, { org });
    const page = (await (await call("/v1/messages/inbox?limit=2", { token: bearer })).json()) as { messages: Frame[]; next: string };
    expect(page.messages.map((message) => message.body)).toEqual([1, 2]);
    const rest = (await (await call(`/v1/messages/inbox?cursor=${page.next}`, { token: bearer })).json()) as { messages: Frame[]; next: string | null };
    expect(rest).toMatchObject({ messages: [{ body: 3 }], next: null });
    const acked = await call("/v1/messages/ack", { method: "POST", token: bearer, json: { ids: [...page.messages.map((m) => m.id), "not-an-id"] } });
    expect(await acked.json()).toEqual({ acknowledged: 2 });
    const left = (await (await call("/v1/messages/inbox", { token: bearer })).json()) as { messages: Frame[] };
    expect(left.messages.map((message) => message.body)).toEqual([3]);
  });

  it("expire after INBOX_TTL_MS, by the alarm", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    await send(uniqueUser("alice"), bob, "soon gone", { org });
    await sleep(4_100);
    await runDurableObjectAlarm(presenceStub(bob));
    const left = (await (await call("/v1/messages/inbox", { token: await token(bob, { org }) })).json()) as { messages: unknown[] };
    expect(left.messages).toEqual([]);
  });
});

describe("sending rules", () => {
  it("delivers a retry with the same client id once, with the first answer", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const receiver = await connectDevice(bob, { org });
    const first = await send(alice, bob, "once", { org, id: "client-1" });
    const retry = await send(alice, bob, "once", { org, id: "client-1" });
    expect(retry).toEqual(first);
    await receiver.socket.nextOfType("message");
    expect((await receiver.socket.drain(200)).filter(ofType("message"))).toEqual([]);
    const other = await send(alice, bob, "again", { org, id: "client-2" });
    expect(other.body.id).not.toBe(first.body.id);
  });

  it("refuses blocked and cross-org senders exactly as for an unknown user", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    const [blocked, stranger] = [uniqueUser("blocked"), uniqueUser("stranger")];
    await call("/v1/blocks/me", { method: "PUT", token: await token(bob, { org }), json: { add: [blocked] } });
    const answers = [await send(blocked, bob, "hi", { org }), await send(stranger, bob, "hi", { org: uniqueUser("other-org") }), await send(stranger, "never-connected-user", "hi")];
    expect(answers[0]).toEqual({ status: 403, body: { error: { code: "forbidden", message: "to: no such user to send to" } } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it("takes a service caller's message for the user in from, and refuses from a user", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    const viaService = await call("/v1/messages", { method: "POST", token: SERVICE_KEY, json: { to: bob, from: "system", body: { kind: "welcome" } } });
    expect(viaService.status).toBe(200);
    expect((await call("/v1/messages", { method: "POST", token: SERVICE_KEY, json: { to: bob, body: 1 } })).status).toBe(400);
    expect((await call("/v1/messages", { method: "POST", token: await token("mallory", { org }), json: { to: bob, from: "system", body: 1 } })).status).toBe(400);
  });

  it("refuses bodies over 8 KiB, messages to oneself and bad ids with 400", async () => {
    const alice = uniqueUser("alice");
    const bearer = await token(alice);
    for (const json of [{ to: "bob", body: "x".repeat(8 * 1024) }, { to: alice, body: 1 }, { to: "bob", body: 1, id: "bad id" }, { to: "bob" }]) {
      const response = await call("/v1/messages", { method: "POST", token: bearer, json });
      expect(response.status).toBe(400);
    }
  });

  it("refuses with 429 inbox_full past 1,000 stored messages, dropping nothing", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    const stub = presenceStub(bob);
    for (let n = 0; n < 1_000; n++) await stub.message({ from: "system", body: String(n), viewer: { kind: "service" } });
    const refused = await send(uniqueUser("alice"), bob, "one too many", { org });
    expect(refused).toMatchObject({ status: 429, body: { error: { code: "inbox_full" } } });
    const page = (await (await call("/v1/messages/inbox?limit=100", { token: await token(bob, { org }) })).json()) as { messages: Frame[] };
    expect(page.messages[0]?.body).toBe(0);
  });

  it("limits one sender to 200 messages per 10 s with 429 rate_limited", async () => {
    const org = uniqueUser("org");
    const bob = await offlineUser(org, "bob");
    const alice = uniqueUser("alice");
    const bearer = await token(alice, { org });
    // The limiter counts in fixed windows, so a burst that straddles two may pass more than 200 before the first 429.
    let refused: Response | null = null;
    let sent = 0;
    while (refused === null && sent < 600) {
      const response = await call("/v1/messages", { method: "POST", token: bearer, json: { to: bob, body: sent } });
      if (response.status === 429) refused = response;
      else sent += 1;
    }
    expect(sent).toBeGreaterThanOrEqual(200);
    expect(refused?.headers.get("Retry-After")).toBe("10");
    expect(await refused?.json()).toMatchObject({ error: { code: "rate_limited" } });
  });
});

describe("typing", () => {
  async function pair(options: { sameOrg?: boolean } = {}) {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const a = await connectDevice(alice, { org });
    const b = await connectDevice(bob, { org: options.sameOrg === false ? uniqueUser("other") : org });
    return { alice, bob, a, b };
  }
  const typingFrames = async (socket: TestSocket) => (await socket.drain(300)).filter(ofType("typing"));

  it("relays to every device of the receiver, showing 6 s ahead, at most once a second per device", async () => {
    const { alice, bob, a, b } = await pair();
    const before = Date.now();
    a.socket.send({ type: "typing", to: bob });
    const notice = await b.socket.nextOfType("typing");
    expect(notice).toMatchObject({ type: "typing", user: alice });
    expect(notice.until as number).toBeGreaterThanOrEqual(before + 6_000);
    a.socket.send({ type: "typing", to: bob });
    expect(await typingFrames(b.socket)).toEqual([]);
    await sleep(1_000);
    a.socket.send({ type: "typing", to: bob });
    await eventually(async () => (await typingFrames(b.socket)).length === 1, 2000, "a second notice after a second");
  });

  it("sends nothing to a user one may not see, to one who blocked the typist, or from an invisible user", async () => {
    const strangers = await pair({ sameOrg: false });
    strangers.a.socket.send({ type: "typing", to: strangers.bob });
    expect(await typingFrames(strangers.b.socket)).toEqual([]);
    const blocked = await pair();
    await call("/v1/blocks/me", { method: "PUT", token: await token(blocked.bob), json: { add: [blocked.alice] } });
    blocked.a.socket.send({ type: "typing", to: blocked.bob });
    expect(await typingFrames(blocked.b.socket)).toEqual([]);
    const invisible = await pair();
    invisible.a.socket.send({ type: "status", status: "invisible" });
    await invisible.a.socket.nextOfType("presence");
    invisible.a.socket.send({ type: "typing", to: invisible.bob });
    expect(await typingFrames(invisible.b.socket)).toEqual([]);
  });
});
