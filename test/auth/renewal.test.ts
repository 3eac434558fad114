import { describe, expect, it } from "vitest";
import { connectDevice, sleep, token, uniqueUser, watchScope } from "../helpers";

describe("tokens on open sockets", () => {
  it("closes a device socket with 4003 when its token expires", async () => {
    const { socket } = await connectDevice(uniqueUser(), { ttlSeconds: 2 });
    expect(await socket.closed(5000)).toBe(4003);
  });

  it("keeps a device socket open past exp after a token frame with a later exp", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { ttlSeconds: 2 });
    socket.send({ type: "token", token: await token(user, { ttlSeconds: 3600 }) });
    for (let i = 0; i < 6; i++) {
      socket.send("ping"); // the heartbeat, so only the token could end the socket
      await sleep(500);
    }
    socket.send({ type: "status", status: "busy" });
    const busy = await socket.next((frame) => typeof frame !== "string" && (frame.presence as { status?: string } | undefined)?.status === "busy");
    expect(busy).toMatchObject({ type: "presence" });
    expect(socket.closeCode).toBeNull();
  });

  it("refuses a token frame for another user, or one that expires no later, with invalid_token, changing nothing", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { ttlSeconds: 2 });
    socket.send({ type: "token", token: await token(uniqueUser(), { ttlSeconds: 3600 }) });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_token" });
    socket.send({ type: "token", token: await token(user, { ttlSeconds: 1 }) });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_token" });
    socket.send({ type: "token", token: await token(user, { ttlSeconds: 3600, secret: "forged" }) });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_token" });
    expect(await socket.closed(5000)).toBe(4003);
  });

  it("closes a watch socket with 4003 at exp, unless a token frame renews it", async () => {
    const viewer = uniqueUser("viewer");
    const expiring = await watchScope("org:exp", viewer, { ttlSeconds: 2, org: "exp" });
    const renewed = await watchScope("org:exp", viewer, { ttlSeconds: 2, org: "exp" });
    renewed.socket.send({ type: "token", token: await token(viewer, { ttlSeconds: 3600, org: "exp" }) });
    expect(await expiring.socket.closed(5000)).toBe(4003);
    renewed.socket.send("ping");
    expect(await renewed.socket.next((frame) => frame === "pong")).toBe("pong");
    expect(renewed.socket.closeCode).toBeNull();
  });
});
