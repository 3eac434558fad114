import { describe, expect, it } from "vitest";
import { call, connectDevice, token, uniqueUser, type Frame } from "../helpers";

const focusFrames = (frames: (Frame | string)[]) => frames.filter((frame) => typeof frame !== "string" && frame.type === "focus");

async function put(path: string, bearer: string, json: unknown): Promise<Response> {
  return call(path, { method: "PUT", token: bearer, json });
}

describe("focus and who sees whom", () => {
  it("refuses a focus on a user one may not see exactly as one on a user who does not exist", async () => {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const a = await connectDevice(alice, { org: uniqueUser("org") });
    const b = await connectDevice(bob, { org: uniqueUser("other-org") });
    a.socket.send({ type: "focus", partner: bob });
    const hidden = await a.socket.nextOfType("error");
    a.socket.send({ type: "focus", partner: "nobody-by-this-name" });
    const unknown = await a.socket.nextOfType("error");
    expect(hidden).toEqual({ type: "error", code: "forbidden", message: expect.any(String) });
    expect(unknown).toEqual(hidden);
    expect(focusFrames(await b.socket.drain())).toEqual([]);
  });

  it("needs each to see the other: a contacts-only user may not focus on a colleague they do not share with", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const a = await connectDevice(alice, { org });
    const b = await connectDevice(bob, { org });
    await put("/v1/privacy/me", await token(alice, { org }), { visibility: "contacts" });
    a.socket.send({ type: "focus", partner: bob });
    expect(await a.socket.nextOfType("error")).toMatchObject({ code: "forbidden" });
    expect(focusFrames(await b.socket.drain())).toEqual([]);
    await put("/v1/contacts/me", await token(alice, { org }), { add: [bob] });
    a.socket.send({ type: "focus", partner: bob });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: true });
  });

  it("gives a blocker no focus from the user they blocked, and ends one that was on", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const a = await connectDevice(alice, { org });
    const b = await connectDevice(bob, { org });
    a.socket.send({ type: "focus", partner: bob });
    expect(await b.socket.nextOfType("focus")).toMatchObject({ user: alice, active: true });
    await put("/v1/blocks/me", await token(bob, { org }), { add: [alice] });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
    a.socket.send({ type: "blur" });
    a.socket.send({ type: "focus", partner: bob });
    expect(await a.socket.nextOfType("error")).toMatchObject({ code: "forbidden" });
    expect(focusFrames(await b.socket.drain())).toEqual([]);
  });

  it("sends no focus from an invisible user, and going invisible ends the focus", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const a = await connectDevice(alice, { org });
    const b = await connectDevice(bob, { org });
    a.socket.send({ type: "focus", partner: bob });
    expect(await b.socket.nextOfType("focus")).toMatchObject({ active: true });
    a.socket.send({ type: "status", status: "invisible" });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
    a.socket.send({ type: "focus", partner: bob });
    expect(focusFrames(await b.socket.drain(300))).toEqual([]);
    expect((await a.socket.drain()).filter((frame) => typeof frame !== "string" && frame.type === "error")).toEqual([]);
  });

  it("ends the focus of a user who blocks their partner, or stops showing themself, on the partner's devices", async () => {
    const org = uniqueUser("org");
    const [alice, bob, carol] = [uniqueUser("alice"), uniqueUser("bob"), uniqueUser("carol")];
    const a = await connectDevice(alice, { org });
    const b = await connectDevice(bob, { org });
    const c = await connectDevice(carol, { org });
    a.socket.send({ type: "focus", partner: bob });
    expect(await b.socket.nextOfType("focus")).toMatchObject({ user: alice, active: true });
    await put("/v1/blocks/me", await token(alice, { org }), { add: [bob] });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
    expect(await a.socket.nextOfType("error")).toMatchObject({ code: "forbidden" });
    a.socket.send({ type: "focus", partner: carol });
    expect(await c.socket.nextOfType("focus")).toMatchObject({ user: alice, active: true });
    await put("/v1/privacy/me", await token(alice, { org }), { visibility: "nobody" });
    expect(await c.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
  });
});
