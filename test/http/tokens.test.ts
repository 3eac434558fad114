import { describe, expect, it } from "vitest";
import { SignJWT, importJWK, type JWK } from "jose";
import { sign } from "hono/jwt";
import keys from "../fixtures/keys.json";
import { TOKEN_AUDIENCE, TOKEN_ISSUER, call, connectDevice, testEnv, uniqueUser, watchScope } from "../helpers";

type KeyName = keyof typeof keys;

/** A token signed by the test identity provider's key `kid` (or a stranger's), with standard claims. */
async function providerToken(kid: KeyName, claims: Record<string, unknown> = {}, lifetimeSeconds = 3600): Promise<string> {
  const key = keys[kid];
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: now, exp: now + lifetimeSeconds, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.public.kid })
    .sign(await importJWK(key.private as JWK, key.alg));
}

async function statusWith(token: string) {
  const response = await call("/v1/presence/me", { token });
  const body = (await response.json()) as { error?: { code: string; message: string }; user?: string };
  return { status: response.status, code: body.error?.code, message: body.error?.message, user: body.user };
}

function base64url(value: object | string): string {
  return btoa(typeof value === "string" ? value : JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("tokens from an identity provider", () => {
  it("accepts an ES256 token from the inline JWKS", async () => {
    expect(await statusWith(await providerToken("test-es256", { sub: "es-user" }))).toMatchObject({ status: 200, user: "es-user" });
  });

  it("accepts an RS256 token from the inline JWKS", async () => {
    expect(await statusWith(await providerToken("test-rs256", { sub: "rs-user" }))).toMatchObject({ status: 200, user: "rs-user" });
  });

  it("refuses a token signed by a key the JWKS does not hold", async () => {
    expect(await statusWith(await providerToken("stranger-es256", { sub: "mallory" }))).toMatchObject({ status: 401, code: "invalid_token" });
  });

  const mismatches: [string, Record<string, unknown>][] = [
    ["another issuer", { iss: "https://evil.test/" }],
    ["another audience", { aud: "someone-else" }],
    ["no issuer", { iss: undefined }],
  ];
  for (const [label, claims] of mismatches) {
    it(`refuses a token with ${label}`, async () => {
      expect(await statusWith(await providerToken("test-es256", { sub: "u", ...claims }))).toMatchObject({ status: 401, code: "invalid_token" });
    });
  }

  it("accepts an audience array that holds one of the accepted audiences", async () => {
    expect((await statusWith(await providerToken("test-es256", { sub: "u", aud: ["x", "another-app"] }))).status).toBe(200);
  });

  it("honours nbf with at most 30 s of leeway, and exp the same way", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await statusWith(await providerToken("test-es256", { sub: "u", nbf: now + 20 }))).status).toBe(200);
    expect(await statusWith(await providerToken("test-es256", { sub: "u", nbf: now + 120 }))).toMatchObject({ status: 401, code: "invalid_token" });
    expect((await statusWith(await providerToken("test-es256", { sub: "u" }, -20))).status).toBe(200);
    expect(await statusWith(await providerToken("test-es256", { sub: "u" }, -120))).toMatchObject({ status: 401, code: "expired_token" });
  });

  it("refuses alg none", async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "u", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now + 60 })}.`;
    expect(await statusWith(unsigned)).toMatchObject({ status: 401, code: "invalid_token" });
  });

  it("refuses algorithm confusion: an HS256 token signed with the provider's public key", async () => {
    const now = Math.floor(Date.now() / 1000);
    const confused = await sign({ sub: "u", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now + 60 }, JSON.stringify(keys["test-rs256"].public), "HS256");
    expect(await statusWith(confused)).toMatchObject({ status: 401, code: "invalid_token" });
  });

  it("still accepts HS256 tokens signed with JWT_SECRET", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ sub: "hs-user", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now + 60 }, testEnv.JWT_SECRET, "HS256");
    expect(await statusWith(token)).toMatchObject({ status: 200, user: "hs-user" });
  });
});

describe("claim mapping", () => {
  it("reads the org from the configured claim name (a full URL here), so the user joins that org's roster", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("mapped");
    const { socket } = await watchScope(`org:${org}`, uniqueUser("viewer"), { org });
    const device = await connectDevice(user, { org });
    expect(device.hello).toMatchObject({ user });
    expect((await socket.nextOfType<{ type: string; joins: { user: string }[] }>("diff")).joins).toMatchObject([{ user }]);
  });

  it("strips control characters and bidi overrides from a token's name instead of refusing the token", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("named");
    await connectDevice(user, { org, name: "Eve\u202E\u0007lyn\u2066 " });
    const { sync } = await watchScope(`org:${org}`, uniqueUser("viewer"), { org });
    expect((sync.members as { user: string; name?: string }[]).find((m) => m.user === user)?.name).toBe("Evelyn");
  });
});
