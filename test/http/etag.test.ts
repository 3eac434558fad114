import { describe, expect, it } from "vitest";
import { entityTag, namesTag } from "../../src/http/etag";
import { call, sleep, token, uniqueUser } from "../helpers";

/** Online through REST heartbeats, in `org`. */
async function online(user: string, org: string): Promise<void> {
  const response = await call("/v1/presence/me/heartbeat", { method: "POST", token: await token(user, { org }), json: { active: true } });
  expect(response.status).toBe(200);
}

async function get(path: string, viewer: string, org: string, ifNoneMatch?: string): Promise<Response> {
  return call(path, { token: await token(viewer, { org }), ...(ifNoneMatch === undefined ? {} : { headers: { "If-None-Match": ifNoneMatch } }) });
}

/** Where each polled read is, about `member` of `org`. */
function pathOf(read: "members" | "count" | "presence" | "batch", member: string, org: string): string {
  if (read === "presence") return `/v1/presence/${member}`;
  if (read === "batch") return `/v1/presence?users=${member},never-connected-user`;
  return `/v1/scopes/org:${org}/${read}`;
}

describe("conditional GETs (ETag and If-None-Match)", () => {
  for (const read of ["members", "count", "presence", "batch"] as const) {
    it(`answers ${read} with a strong ETag and private, no-cache; the same answer again is a 304 with no body`, async () => {
      const org = uniqueUser("org");
      const member = uniqueUser("member");
      await online(member, org);
      await sleep(100);
      const path = pathOf(read, member, org);
      const first = await get(path, "viewer", org);
      expect(first.status).toBe(200);
      const tag = first.headers.get("ETag") ?? "";
      expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(first.headers.get("Cache-Control")).toBe("private, no-cache");
      expect(tag).toBe(await entityTag(await first.arrayBuffer()));
      const again = await get(path, "viewer", org, tag);
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("ETag")).toBe(tag);
      expect(again.headers.get("Cache-Control")).toBe("private, no-cache");
      expect(again.headers.get("Content-Type")).toBeNull();
    });

    it(`answers ${read} with 200 and a new ETag after a change`, async () => {
      const org = uniqueUser("org");
      const member = uniqueUser("member");
      await online(member, org);
      await sleep(100);
      const path = pathOf(read, member, org);
      const tag = (await get(path, "viewer", org)).headers.get("ETag") ?? "";
      await call("/v1/presence/me", { method: "PUT", token: await token(member, { org }), json: { status: "busy" } });
      // A status change reaches rooms within a second of the join: until then the answer is unchanged.
      let changed = await get(path, "viewer", org, tag);
      for (let tries = 0; changed.status === 304 && tries < 50; tries += 1) changed = await sleep(100).then(() => get(path, "viewer", org, tag));
      expect(changed.status).toBe(200);
      expect(changed.headers.get("ETag")).not.toBe(tag);
      expect(JSON.stringify(await changed.json())).toContain("busy");
    });
  }

  it("gives two viewers who see different things different ETags (one of them blocked), and never a 304 for the other's tag", async () => {
    const org = uniqueUser("org");
    const member = uniqueUser("member");
    const other = uniqueUser("other");
    await online(member, org);
    await online(other, org);
    const block = await call("/v1/blocks/me", { method: "PUT", token: await token(member, { org }), json: { add: ["blocked"] } });
    expect(block.status).toBe(200);
    await sleep(300);
    for (const path of [`/v1/scopes/org:${org}/members`, `/v1/scopes/org:${org}/count`, `/v1/presence/${member}`]) {
      const seen = await get(path, "friend", org);
      const hidden = await get(path, "blocked", org);
      const seenTag = seen.headers.get("ETag") ?? "";
      const hiddenTag = hidden.headers.get("ETag") ?? "";
      expect(await seen.text(), path).not.toBe(await hidden.text());
      expect(seenTag, path).not.toBe(hiddenTag);
      expect((await get(path, "blocked", org, seenTag)).status, path).toBe(200);
      expect((await get(path, "blocked", org, hiddenTag)).status, path).toBe(304);
    }
  });

  it("lets a page of an allowed origin read the ETag, and keeps the CORS headers on a 304", async () => {
    const user = uniqueUser("me");
    const headers = { Origin: "https://app.example.com" };
    const first = await call(`/v1/presence/${user}`, { token: await token(user), headers });
    expect(first.headers.get("Access-Control-Expose-Headers")).toContain("ETag");
    const again = await call(`/v1/presence/${user}`, { token: await token(user), headers: { ...headers, "If-None-Match": first.headers.get("ETag") ?? "" } });
    expect(again.status).toBe(304);
    expect(again.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
    expect(again.headers.get("Access-Control-Expose-Headers")).toContain("ETag");
  });

  it("tags no refusal: a scope the caller may not read is a 403 without ETag, whatever If-None-Match says", async () => {
    const response = await get("/v1/scopes/org:elsewhere/members", "viewer", "mine", "*");
    expect(response.status).toBe(403);
    expect(response.headers.get("ETag")).toBeNull();
  });

  it("refuses a batch GET naming no user, more than 100, or an invalid id, with 400 invalid_request", async () => {
    const viewer = await token(uniqueUser("viewer"));
    const many = Array.from({ length: 101 }, (_, index) => `user-${index}`).join(",");
    for (const users of ["", many, "alice,,bob", "alice,b%20b", "x".repeat(129)]) {
      const response = await call(`/v1/presence?users=${users}`, { token: viewer });
      expect(response.status, users.slice(0, 20)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
    const hundred = await call(`/v1/presence?users=${many.split(",").slice(0, 100).join(",")}`, { token: viewer });
    expect(hundred.status).toBe(200);
    expect(Object.keys(((await hundred.json()) as { presence: object }).presence)).toHaveLength(100);
  });

  it("matches a tag among several in If-None-Match, a weak form of it, and *", () => {
    const tag = '"abc"';
    expect(namesTag('"x", "abc"', tag)).toBe(true);
    expect(namesTag('W/"abc"', tag)).toBe(true);
    expect(namesTag("*", tag)).toBe(true);
    expect(namesTag('"abcd"', tag)).toBe(false);
    expect(namesTag(undefined, tag)).toBe(false);
  });
});
