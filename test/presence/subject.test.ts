import { describe, expect, it } from "vitest";
import { newRecord, type UserRecord } from "../../src/presence/record";
import { asViewer, focusPass, mayFocus, subjectOf } from "../../src/presence/subject";

const relations = (contacts: string[] = [], blocks: string[] = []) => ({
  has: (kind: "contacts" | "blocks", user: string) => (kind === "contacts" ? contacts : blocks).includes(user),
});

function record(org: string, devices: { device: string; scopes: string[]; leftAt?: number }[]): UserRecord {
  return { ...newRecord({ sub: "u", org }), deviceScopes: devices.map(({ device, scopes, leftAt = null }) => ({ device, scopes, leftAt })) };
}

describe("the user as the rule sees them", () => {
  it("has the scopes of their connected devices while they have any, else their last connection's", () => {
    const laptopOnly = record("b", [{ device: "laptop", scopes: ["global", "org:a"] }]);
    expect(subjectOf("u", laptopOnly, relations()).scopes).toEqual(["global", "org:a"]);
    expect(subjectOf("u", record("b", []), relations()).scopes).toEqual(["global", "org:b"]);
    expect(subjectOf("u", null, relations()).scopes).toEqual([]);
  });

  it("views through one device's token, or through all of them", () => {
    const both = record("b", [
      { device: "laptop", scopes: ["global", "org:a"] },
      { device: "phone", scopes: ["global", "org:b"] },
    ]);
    const subject = subjectOf("u", both, relations());
    expect(asViewer(subject, both, "phone", "counts").scopes).toEqual(["org:b"]);
    expect(asViewer(subject, both, null, "counts").scopes).toEqual(["org:a", "org:b"]);
    expect(asViewer(subject, both, null, "everyone").scopes).toEqual(["global", "org:a", "org:b"]);
  });

  it("lets a focus through only when each may see the other", () => {
    const partner = record("acme", [{ device: "p", scopes: ["global", "org:acme"] }]);
    const focuser = { ...record("acme", [{ device: "f", scopes: ["global", "org:acme"] }]), identity: { sub: "f", org: "acme" } };
    const pass = (contacts: string[] = [], blocks: string[] = [], visibility: "everyone" | "contacts" = "everyone") => {
      const subject = { ...subjectOf("f", focuser, relations(contacts, blocks)), privacy: { visibility, lastSeen: "everyone" as const } };
      return focusPass(subject, asViewer(subject, focuser, "f", "counts"), "u");
    };
    const partnerSubject = (blocks: string[] = []) => subjectOf("u", partner, relations([], blocks));
    expect(mayFocus(partnerSubject(), partner, pass(), "counts")).toBe(true);
    expect(mayFocus(partnerSubject(["f"]), partner, pass(), "counts")).toBe(false);
    expect(mayFocus(partnerSubject(), partner, pass([], ["u"]), "counts")).toBe(false);
    expect(mayFocus(partnerSubject(), partner, pass([], [], "contacts"), "counts")).toBe(false);
    expect(mayFocus(partnerSubject(), partner, pass(["u"], [], "contacts"), "counts")).toBe(true);
  });
});
