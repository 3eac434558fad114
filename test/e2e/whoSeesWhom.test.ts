import { describe, expect, it } from "vitest";
import {
  addContact,
  blockedRow,
  contactRow,
  countOf,
  rosterRow,
  setPrivacy,
  WAIT_MS,
  waitForContactStatus,
  waitForCounts,
  waitForStatus,
} from "./dashboardPage";
import { dashboardSession, unique } from "./dashboardSession";

/** Blocks, contacts and privacy on the dashboard: what each person's page shows of the others. */

// OFFLINE_AFTER_MS stays at its default: the pages ping every 25 s, so a shorter one would drop their
// sockets for silence and show people offline between reconnects. A closed page leaves at once.
const { signedIn } = dashboardSession({ DEV_TOKENS: "true", DISCONNECT_GRACE_MS: "700" });

describe("who sees whom on the dashboard", () => {
  it("a blocked user sees the blocker as offline in their roster and contacts until unblocked; the blocker still sees them", async () => {
    const org = unique("blocks");
    const scope = `org:${org}`;
    const alice = { sub: `alice-${org}`, name: "Alice", org };
    const bob = { sub: `bob-${org}`, name: "Bob", org };
    const [alicePage, bobPage] = await Promise.all([signedIn(alice), signedIn(bob)]);

    await waitForStatus(alicePage, scope, bob.sub, "online");
    await waitForStatus(bobPage, scope, alice.sub, "online");
    await addContact(bobPage, alice.sub);
    await waitForContactStatus(bobPage, alice.sub, "online");
    expect(await contactRow(bobPage, alice.sub).locator(".name").textContent()).toBe("Alice");
    expect(await rosterRow(alicePage, scope, alice.sub).locator(".block").isHidden()).toBe(true);

    await rosterRow(alicePage, scope, bob.sub).getByRole("button", { name: "Block Bob" }).click();
    await blockedRow(alicePage, bob.sub).waitFor({ timeout: WAIT_MS });
    await rosterRow(alicePage, scope, bob.sub).getByRole("button", { name: "Unblock Bob" }).waitFor({ timeout: WAIT_MS });

    // Bob's page: Alice left his roster (gray for the rest of the visit), and his subscription says she is an unknown user.
    await waitForStatus(bobPage, scope, alice.sub, "offline");
    await waitForCounts(bobPage, scope, { online: 1, total: 1 });
    await waitForContactStatus(bobPage, alice.sub, "offline");
    expect(await contactRow(bobPage, alice.sub).locator(".status-label").textContent()).toBe("Offline");
    // Alice's page: Bob is still there.
    await waitForCounts(alicePage, scope, { online: 2, total: 2 });
    expect(await rosterRow(alicePage, scope, bob.sub).getAttribute("data-status")).toBe("online");
    await alicePage.screenshot({ path: "test-results/dashboard-blocked.png", fullPage: true });
    await bobPage.screenshot({ path: "test-results/dashboard-blocked-by.png", fullPage: true });

    await alicePage.locator("#blocked-list").getByRole("button", { name: "Unblock Bob" }).click();
    await alicePage.locator("#blocked-none").waitFor({ state: "visible", timeout: WAIT_MS });
    await waitForStatus(bobPage, scope, alice.sub, "online");
    await waitForCounts(bobPage, scope, { online: 2, total: 2 });
    await waitForContactStatus(bobPage, alice.sub, "online");
    await rosterRow(alicePage, scope, bob.sub).getByRole("button", { name: "Block Bob" }).waitFor({ timeout: WAIT_MS });
  });

  it("a user visible to contacts only leaves every roster, and shows online to the contacts they add, to nobody else", async () => {
    const org = unique("contacts");
    const scope = `org:${org}`;
    const alice = { sub: `alice-${org}`, name: "Alice", org };
    const bob = { sub: `bob-${org}`, name: "Bob", org };
    const carol = { sub: `carol-${org}`, name: "Carol", org };
    const [alicePage, bobPage, carolPage] = await Promise.all([signedIn(alice), signedIn(bob), signedIn(carol)]);

    // Bob and Carol see Alice in their roster and follow her; she shares with everyone in her org so far.
    for (const page of [bobPage, carolPage]) {
      await waitForStatus(page, scope, alice.sub, "online");
      await addContact(page, alice.sub);
      await waitForContactStatus(page, alice.sub, "online");
    }

    await setPrivacy(alicePage, "contacts");
    for (const page of [bobPage, carolPage]) {
      await waitForStatus(page, scope, alice.sub, "offline");
      await waitForContactStatus(page, alice.sub, "offline");
    }

    // Alice shares with Bob: his dot turns green; Carol, not her contact, still sees no one.
    await addContact(alicePage, bob.sub);
    await waitForContactStatus(bobPage, alice.sub, "online");
    await waitForContactStatus(alicePage, bob.sub, "online");
    expect(await rosterRow(bobPage, scope, alice.sub).getAttribute("data-status")).toBe("offline");
    expect(await contactRow(carolPage, alice.sub).getAttribute("data-status")).toBe("offline");
    await waitForCounts(carolPage, scope, { online: 2, total: 2 });

    // Removing Bob from her contacts hides her from him again.
    await contactRow(alicePage, bob.sub).getByRole("button", { name: "Remove Bob from contacts" }).click();
    await contactRow(alicePage, bob.sub).waitFor({ state: "detached", timeout: WAIT_MS });
    await waitForContactStatus(bobPage, alice.sub, "offline");
    expect(await alicePage.evaluate(() => document.activeElement?.id)).toBe("contact-input");
  });

  it("people with no org or zone only count everyone, and see each other once each shares with the other", async () => {
    const dan = { sub: unique("dan"), name: "Dan" };
    const erin = { sub: unique("erin"), name: "Erin" };
    const [danPage, erinPage] = await Promise.all([signedIn(dan), signedIn(erin)]);

    expect(await danPage.locator("section[data-scope]").evaluateAll((sections) => sections.map((s) => (s as HTMLElement).dataset.scope))).toEqual([
      "global",
    ]);
    await expect.poll(() => countOf(danPage, "global", "online"), { timeout: WAIT_MS }).toBeGreaterThanOrEqual(2);

    // Sharing no scope, Erin is an unknown user to Dan until she makes him a contact.
    await addContact(danPage, erin.sub);
    await waitForContactStatus(danPage, erin.sub, "offline");
    await addContact(erinPage, dan.sub);
    await waitForContactStatus(danPage, erin.sub, "online");
    await waitForContactStatus(erinPage, dan.sub, "online");

    await erinPage.close();
    await waitForContactStatus(danPage, erin.sub, "offline");
    await expect(contactRow(danPage, erin.sub).locator(".status-label").textContent()).resolves.toMatch(/^Offline, last seen /);
  });
});
