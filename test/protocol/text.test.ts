import { describe, expect, it } from "vitest";
import { DisplayName, StatusText } from "../../src/protocol/presence";
import { call, connectDevice, token, uniqueUser, watchScope } from "../helpers";

const LONE_HIGH = "\uD83D";
const LONE_LOW = "\uDE00";

describe("text", () => {
  const cases: [string, string, boolean][] = [
    ["plain text", "on a call", true],
    ["an emoji (a surrogate pair)", "🎧 focus", true],
    ["CJK", "会議中", true],
    ["a lone high surrogate", `a${LONE_HIGH}b`, false],
    ["a lone low surrogate at the end", `ab${LONE_LOW}`, false],
    ["a reversed pair", `${LONE_LOW}${LONE_HIGH}`, false],
    ["a newline (C0 control)", "on\na call", false],
    ["a C1 control", "on\u0085call", false],
    ["a right-to-left override", "call\u202Egnp.exe", false],
    ["a bidi isolate", "a\u2066b", false],
  ];
  for (const [label, text, ok] of cases) {
    it(`${ok ? "accepts" : "refuses"} ${label}`, () => {
      expect(StatusText.safeParse(text).success).toBe(ok);
      expect(DisplayName.safeParse(text).success).toBe(ok);
    });
  }

  it("normalizes status text to NFC and trims it", () => {
    expect(StatusText.parse("  Cafe\u0301  ")).toBe("Caf\u00E9");
  });

  it("refuses control characters in a status frame with invalid_frame", async () => {
    const { socket } = await connectDevice(uniqueUser());
    socket.send({ type: "status", status: "busy", text: "line\u0000break" });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
  });

  it("refuses a lone surrogate in a REST status text with 400", async () => {
    const response = await call("/v1/presence/me", { method: "PUT", token: await token(uniqueUser()), json: { text: `x${LONE_HIGH}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("refuses a lone surrogate in a status frame with invalid_frame", async () => {
    const { socket } = await connectDevice(uniqueUser());
    socket.send(`{"type":"status","status":"busy","text":"x\\ud800"}`);
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
  });

  it("refuses a token whose name has a lone surrogate", async () => {
    const response = await call("/v1/presence/me", { token: await token(uniqueUser(), { name: `x${LONE_LOW}` }) });
    expect(response.status).toBe(401);
  });

  it("carries an emoji and CJK display name from the token to the roster exactly as given", async () => {
    const org = uniqueUser("org");
    const name = "李小龍 🐉 Ünïcödé";
    const user = uniqueUser("named");
    await connectDevice(user, { org, name });
    const { socket, sync } = await watchScope(`org:${org}`, uniqueUser("viewer"), { org });
    const members = sync.members as { user: string; name?: string }[];
    const found = members.find((m) => m.user === user) ?? (await socket.nextOfType<{ type: string; joins: { name?: string }[] }>("diff")).joins[0];
    expect(found?.name).toBe(name);
  });
});
