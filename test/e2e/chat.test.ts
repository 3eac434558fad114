import { describe, expect, it } from "vitest";
import {
  chatMessage,
  openChat,
  rosterRow,
  sendChatMessage,
  WAIT_MS,
  waitForMessageState,
  waitForStatus,
} from "./dashboardPage";
import { dashboardSession, unique } from "./dashboardSession";

/** Messages on the dashboard: the conversation panel, unread counts, read marks and typing. */

// OFFLINE_AFTER_MS stays long, so the page's sockets (pinging every 25 s) are never dropped for silence mid-test.
const { signedIn } = dashboardSession({ DEV_TOKENS: "true", DISCONNECT_GRACE_MS: "700" });

describe("chat on the dashboard", () => {
  it("a message to someone offline waits for them; opening the chat reads it and the sender sees it read; typing shows, then goes", async () => {
    const org = unique("chat");
    const scope = `org:${org}`;
    const alice = { sub: `alice-${org}`, name: "Alice", org };
    const bob = { sub: `bob-${org}`, name: "Bob", org };
    // Markup in a message is text, never HTML.
    const question = "<b>Are you there?</b> & more";

    // Bob has been here once and left; Alice saw him go.
    const [alicePage, bobFirstVisit] = await Promise.all([signedIn(alice), signedIn(bob)]);
    await waitForStatus(alicePage, scope, bob.sub, "online");
    await bobFirstVisit.close();
    await waitForStatus(alicePage, scope, bob.sub, "offline");

    await openChat(alicePage, scope, bob.sub, "Bob");
    await sendChatMessage(alicePage, "Bob", question);
    await waitForMessageState(alicePage, question, "sent");
    expect(await chatMessage(alicePage, question).locator(".message-text").textContent()).toBe(question);
    expect(await alicePage.locator("#chat-log b").count()).toBe(0);

    // Bob comes back: the message waits for him, unread, on Alice's row; Alice sees it delivered.
    const bobPage = await signedIn(bob);
    await rosterRow(bobPage, scope, alice.sub).locator(".unread", { hasText: "1 unread message" }).waitFor({ timeout: WAIT_MS });
    await waitForMessageState(alicePage, question, "delivered");
    expect(await chatMessage(alicePage, question).locator(".message-state").textContent()).toBe("✓ Delivered");

    // He opens the chat with Alice: he reads it there, and Alice sees it read.
    await openChat(bobPage, scope, alice.sub, "Alice");
    expect(await chatMessage(bobPage, question).locator(".message-who").textContent()).toBe("Alice");
    await rosterRow(bobPage, scope, alice.sub).locator(".unread").waitFor({ state: "hidden", timeout: WAIT_MS });
    await waitForMessageState(alicePage, question, "read");
    expect(await chatMessage(alicePage, question).locator(".message-state").textContent()).toBe("✓✓ Read");

    // Bob types without sending: Alice sees it, and it goes about TYPING_SHOWS_MS (6 s) later.
    await bobPage.getByLabel("Message to Alice", { exact: true }).pressSequentially("Yes!", { delay: 40 });
    const typing = alicePage.locator("#chat-typing", { hasText: "Bob is typing…" });
    await typing.waitFor({ state: "visible", timeout: WAIT_MS });
    const shownAt = Date.now();
    await alicePage.screenshot({ path: "test-results/dashboard-chat.png", fullPage: true });
    await typing.waitFor({ state: "hidden", timeout: WAIT_MS });
    expect(Date.now() - shownAt).toBeGreaterThan(3_000);
    expect(Date.now() - shownAt).toBeLessThan(9_000);

    // Bob sends it: Alice has the chat open, so it is read as it arrives.
    await bobPage.getByLabel("Message to Alice", { exact: true }).press("Enter");
    await chatMessage(alicePage, "Yes!").waitFor({ timeout: WAIT_MS });
    await waitForMessageState(bobPage, "Yes!", "read");
    await bobPage.screenshot({ path: "test-results/dashboard-chat-reader.png", fullPage: true });
  });
});
