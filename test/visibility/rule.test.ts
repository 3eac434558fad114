import { describe, expect, it } from "vitest";
import type { PresenceView } from "../../src/protocol/presence";
import type { Privacy } from "../../src/protocol/rest";
import { readableScopes, sightOf, unknownView, viewFor, type Sight, type Subject, type Viewer } from "../../src/visibility/rule";

function subject(privacy: Partial<Privacy> = {}, relations: { contacts?: string[]; blocks?: string[] } = {}, scopes = ["global", "org:acme"]): Subject {
  return {
    user: "u",
    privacy: { visibility: "everyone", lastSeen: "everyone", ...privacy },
    scopes,
    sharesWith: (viewer) => relations.contacts?.includes(viewer) ?? false,
    hasBlocked: (viewer) => relations.blocks?.includes(viewer) ?? false,
  };
}
const user = (id: string, scopes: string[] = []): Viewer => ({ kind: "user", user: id, scopes });
const service: Viewer = { kind: "service" };

describe("the visibility rule", () => {
  const rows: [string, Subject, Viewer, Sight][] = [
    ["the user themself", subject({ visibility: "nobody" }), user("u"), "self"],
    ["a service caller, even when the user shows nobody", subject({ visibility: "nobody", lastSeen: "nobody" }), service, "full"],
    ["a colleague in a shared org", subject(), user("v", ["org:acme"]), "full"],
    ["a colleague in a shared zone", subject({}, {}, ["zone:eu"]), user("v", ["zone:eu"]), "full"],
    ["someone in another org (used to leak)", subject(), user("v", ["org:other"]), "none"],
    ["someone sharing only global, while users may not read it", subject(), user("v", []), "none"],
    ["someone sharing global, when users may read it", subject(), user("v", ["global"]), "full"],
    ["a contact in another org", subject({}, { contacts: ["v"] }), user("v", ["org:other"]), "full"],
    ["a colleague, when the user shows only contacts", subject({ visibility: "contacts" }), user("v", ["org:acme"]), "none"],
    ["a contact, when the user shows only contacts", subject({ visibility: "contacts" }, { contacts: ["v"] }), user("v"), "full"],
    ["a contact, when the user shows nobody", subject({ visibility: "nobody" }, { contacts: ["v"] }), user("v", ["org:acme"]), "none"],
    ["a blocked colleague", subject({}, { blocks: ["v"] }), user("v", ["org:acme"]), "none"],
    ["a blocked contact", subject({}, { contacts: ["v"], blocks: ["v"] }), user("v", ["org:acme"]), "none"],
    ["a colleague, when last seen is for contacts", subject({ lastSeen: "contacts" }), user("v", ["org:acme"]), "status"],
    ["a contact, when last seen is for contacts", subject({ lastSeen: "contacts" }, { contacts: ["v"] }), user("v", ["org:acme"]), "full"],
    ["a contact, when last seen is for nobody", subject({ lastSeen: "nobody" }, { contacts: ["v"] }), user("v", ["org:acme"]), "status"],
    ["a service caller, when last seen is for nobody", subject({ lastSeen: "nobody" }), service, "full"],
    ["a colleague of a user who never connected (no scopes)", subject({}, {}, []), user("v", ["org:acme"]), "none"],
  ];
  for (const [who, s, viewer, sight] of rows) {
    it(`${who}: ${sight}`, () => expect(sightOf(s, viewer)).toBe(sight));
  }

  it("adding someone as a contact never lets the adder see them: only the subject's own contacts count", () => {
    // v made u a contact, which is v's list, not u's: u's subject knows nothing of it.
    expect(sightOf(subject({ visibility: "contacts" }), user("v", ["org:acme"]))).toBe("none");
  });
});

describe("what each sight shows", () => {
  const own: PresenceView = { user: "u", status: "invisible", text: "hiding", lastActive: 5, lastSeen: 4, devices: [{ id: "d", type: "web", idle: false }] };
  const others: PresenceView = { user: "u", status: "offline", text: null, lastActive: 3, lastSeen: 2, devices: [] };

  it("self sees their own, full sees what others see, status hides activity, none sees an unknown user", () => {
    expect(viewFor("self", own, others)).toBe(own);
    expect(viewFor("full", own, others)).toBe(others);
    expect(viewFor("status", own, others)).toEqual({ ...others, lastActive: null, lastSeen: null });
    expect(viewFor("none", own, others)).toEqual(unknownView("u"));
  });

  it("a hidden user looks exactly like one who never existed", () => {
    expect(JSON.stringify(viewFor("none", own, others))).toBe(JSON.stringify(unknownView("u")));
    expect(unknownView("u")).toEqual({ user: "u", status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] });
  });
});

describe("readable scopes", () => {
  it("drop global unless every user may read it", () => {
    expect(readableScopes(["global", "org:a", "zone:z"], "counts")).toEqual(["org:a", "zone:z"]);
    expect(readableScopes(["global", "org:a"], "everyone")).toEqual(["global", "org:a"]);
  });
});
