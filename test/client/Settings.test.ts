import { describe, expect, it } from "vitest";
import { PresenceClient, RestError, Settings, type FetchLike, type SettingsOptions } from "../../packages/client/src";
import { recordingFetch } from "./fetches";
import { BASE_URL, scriptedOpener } from "./sockets";

function settings(fetch: FetchLike, options: Partial<SettingsOptions> = {}) {
  return new Settings({ baseUrl: BASE_URL, token: "the-token", fetch, ...options });
}

const users = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

describe("Settings", () => {
  it("reads the privacy settings with GET /v1/privacy/me and the bearer token", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json({ visibility: "contacts", lastSeen: "nobody" }));
    expect(await settings(fetch).privacy()).toEqual({ visibility: "contacts", lastSeen: "nobody" });
    expect(requests).toEqual([{ url: `${BASE_URL}/v1/privacy/me`, method: "GET", headers: { Authorization: "Bearer the-token" } }]);
  });

  it("changes the privacy settings with PUT and the change as JSON, resolving to the new settings", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json({ visibility: "nobody", lastSeen: "everyone" }));
    expect(await settings(fetch).setPrivacy({ visibility: "nobody" })).toEqual({ visibility: "nobody", lastSeen: "everyone" });
    expect(requests).toEqual([
      {
        url: `${BASE_URL}/v1/privacy/me`,
        method: "PUT",
        headers: { Authorization: "Bearer the-token", "Content-Type": "application/json" },
        body: { visibility: "nobody" },
      },
    ]);
  });

  it("asks a token provider again for every request", async () => {
    const { fetch, requests } = recordingFetch();
    let issued = 0;
    const client = settings(fetch, { token: async () => `token-${++issued}` });
    await client.privacy();
    await client.contacts();
    expect(requests.map((request) => request.headers.Authorization)).toEqual(["Bearer token-1", "Bearer token-2"]);
  });

  it("reads contacts and blocked users from their own paths", async () => {
    const { fetch, requests } = recordingFetch((request) => Response.json({ users: [request.url.includes("contacts") ? "alice" : "mallory"] }));
    const client = settings(fetch);
    expect(await client.contacts()).toEqual({ users: ["alice"] });
    expect(await client.blocks()).toEqual({ users: ["mallory"] });
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([`GET ${BASE_URL}/v1/contacts/me`, `GET ${BASE_URL}/v1/blocks/me`]);
  });

  it("sends a change of contacts with both lists, the missing one empty", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json({ users: ["alice", "bob"] }));
    expect(await settings(fetch).changeContacts({ add: ["bob"] })).toEqual({ users: ["alice", "bob"] });
    expect(requests).toMatchObject([{ url: `${BASE_URL}/v1/contacts/me`, method: "PUT", body: { add: ["bob"], remove: [] } }]);
  });

  it("sends a change of blocked users to /v1/blocks/me", async () => {
    const { fetch, requests } = recordingFetch(() => Response.json({ users: [] }));
    await settings(fetch).changeBlocks({ remove: ["mallory"] });
    expect(requests).toMatchObject([{ url: `${BASE_URL}/v1/blocks/me`, method: "PUT", body: { add: [], remove: ["mallory"] } }]);
  });

  it("splits a change of more than 100 users into requests of at most 100 each, resolving to the last answer", async () => {
    const { fetch, requests } = recordingFetch((_, index) => Response.json({ users: [`answer-${index}`] }));
    const add = users("new", 250);
    const remove = users("old", 30);
    expect(await settings(fetch).changeContacts({ add, remove })).toEqual({ users: ["answer-2"] });
    expect(requests.map((request) => request.body)).toEqual([
      { add: add.slice(0, 100), remove },
      { add: add.slice(100, 200), remove: [] },
      { add: add.slice(200), remove: [] },
    ]);
  });

  it("throws a RestError with the status and code of a refusal, and sends no request after it", async () => {
    const { fetch, requests } = recordingFetch((_, index) =>
      index === 0 ? Response.json({ users: [] }) : Response.json({ error: { code: "too_many_relations", message: "at most 5000 contacts" } }, { status: 409 }),
    );
    const change = settings(fetch).changeContacts({ add: users("new", 300) });
    await expect(change).rejects.toBeInstanceOf(RestError);
    await expect(change).rejects.toMatchObject({ status: 409, code: "too_many_relations", message: "at most 5000 contacts" });
    expect(requests).toHaveLength(2);
  });

  it("makes its requests over https for a wss base URL", async () => {
    const { fetch, requests } = recordingFetch();
    await settings(fetch, { baseUrl: "wss://presence.example.com" }).privacy();
    expect(requests[0]?.url).toBe("https://presence.example.com/v1/privacy/me");
  });

  it("is a PresenceClient's settings, with the client's base URL, token and fetch", async () => {
    const { fetch, requests } = recordingFetch();
    const client = new PresenceClient({ baseUrl: BASE_URL, token: () => "client-token", fetch, openSocket: scriptedOpener().openSocket });
    try {
      await client.settings.blocks();
      expect(requests).toEqual([{ url: `${BASE_URL}/v1/blocks/me`, method: "GET", headers: { Authorization: "Bearer client-token" } }]);
    } finally {
      client.close();
    }
  });
});
