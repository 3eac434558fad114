import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser } from "./browser";
import { rosterRow, setStatus, signInWithDevToken, WAIT_MS, waitForCounts, waitForOwnStatus, waitForStatus } from "./dashboardPage";
import { startDevServer, type DevServer } from "./wranglerDev";

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ AWAY_AFTER_MS: "1500", DISCONNECT_GRACE_MS: "700", OFFLINE_AFTER_MS: "4000", DEV_TOKENS: "true" }),
    launchBrowser(),
  ]);
  await mkdir("test-results", { recursive: true });
});

afterAll(async () => {
  await Promise.allSettled(contexts.map((context) => context.close()));
  await browser?.close();
  await server?.stop();
});

describe("dashboard, two people of one organisation", () => {
  it("see each other come online, go away, turn busy, chat and go offline when a page closes", async () => {
    const org = `acme-${Date.now().toString(36)}`;
    const scope = `org:${org}`;
    const alice = { sub: `alice-${org}`, name: "Alice", org };
    const bob = { sub: `bob-${org}`, name: "Bob", org };

    const aliceContext = await browser.newContext({ viewport: { width: 1180, height: 900 } });
    const bobContext = await browser.newContext({ viewport: { width: 390, height: 844 }, userAgent: IPHONE, deviceScaleFactor: 2 });
    contexts.push(aliceContext, bobContext);
    const [alicePage, bobPage] = await Promise.all([aliceContext.newPage(), bobContext.newPage()]);
    const failures: string[] = [];
    for (const page of [alicePage, bobPage]) page.on("pageerror", (error) => failures.push(error.message));

    await alicePage.goto(server.url);
    await signInWithDevToken(alicePage, alice);
    await waitForOwnStatus(alicePage, "Online");
    await expect(alicePage.locator("#me-devices").textContent()).resolves.toMatch(/^Online on web \(this tab\)/);
    await waitForStatus(alicePage, scope, alice.sub, "online");

    // Bob comes online, on a phone.
    await bobPage.goto(server.url);
    await signInWithDevToken(bobPage, bob);
    await waitForStatus(alicePage, scope, bob.sub, "online");
    // Alice moves her mouse: active again after turning away while Bob signed in.
    await alicePage.mouse.move(40, 40);
    await alicePage.mouse.move(80, 60);
    await waitForStatus(bobPage, scope, alice.sub, "online");
    await expect(bobPage.locator("#me-devices").textContent()).resolves.toMatch(/on mobile \(this tab\)/);

    // Bob leaves his phone alone: after AWAY_AFTER_MS he is away, for himself and for Alice.
    await waitForStatus(alicePage, scope, bob.sub, "away");
    await waitForOwnStatus(bobPage, "Away");

    // Bob sets himself busy with a text.
    await setStatus(bobPage, "busy", "In a meeting");
    await waitForStatus(alicePage, scope, bob.sub, "busy");
    await expect(rosterRow(alicePage, scope, bob.sub).locator(".status-text").textContent()).resolves.toBe("“In a meeting”");
    await waitForCounts(alicePage, scope, { busy: 1, total: 2 });
    // Everyone is only counted (GLOBAL_VISIBILITY defaults to `counts`): numbers, never people.
    await waitForCounts(alicePage, "global", { busy: 1, total: 2 });
    expect(await alicePage.locator('section[data-scope="global"] li').count()).toBe(0);

    // Alice opens a chat with Bob; Bob sees she is chatting with him.
    await rosterRow(alicePage, scope, bob.sub).getByRole("button", { name: "Chat with Bob" }).click();
    await bobPage.locator(`#focused-by li[data-user="${alice.sub}"]`).waitFor({ timeout: WAIT_MS });
    await rosterRow(bobPage, scope, alice.sub).locator(".badge").waitFor({ state: "visible", timeout: WAIT_MS });
    await expect(rosterRow(alicePage, scope, bob.sub).getByRole("button", { name: "End chat with Bob" }).getAttribute("aria-pressed")).resolves.toBe(
      "true",
    );

    await alicePage.screenshot({ path: "test-results/dashboard.png", fullPage: true });
    await bobPage.screenshot({ path: "test-results/dashboard-mobile.png", fullPage: true });

    // Bob closes his page: after the grace window Alice sees him offline, and the counts drop.
    await bobPage.close();
    await waitForStatus(alicePage, scope, bob.sub, "offline");
    await waitForCounts(alicePage, scope, { busy: 0, total: 1 });
    await waitForCounts(alicePage, "global", { busy: 0, total: 1 });
    await expect(rosterRow(alicePage, scope, bob.sub).locator(".status-label").textContent()).resolves.toBe("Offline");
    expect(failures).toEqual([]);
  });
});
