import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { sign } from "hono/jwt";
import { launchBrowser } from "./browser";
import { signInWithDevToken, signInWithToken, WAIT_MS, waitForCounts, waitForOwnStatus, waitForStatus } from "./dashboardPage";
import { startDevServer, type DevServer } from "./wranglerDev";

const SECRET = "e2e-secret";

let server: DevServer;
let browser: Browser;
let page: Page;

function tokenFor(claims: Record<string, string>, ttlSeconds = 3600): Promise<string> {
  return sign({ ...claims, exp: Math.floor(Date.now() / 1000) + ttlSeconds }, SECRET, "HS256");
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ JWT_SECRET: SECRET, DEV_TOKENS: "false", AWAY_AFTER_MS: "60000", DISCONNECT_GRACE_MS: "700", OFFLINE_AFTER_MS: "4000" }),
    launchBrowser(),
  ]);
  page = await browser.newPage();
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const error = () => page.locator("#sign-in-error");

describe("signing in where dev tokens are disabled", () => {
  it("says clearly that the server mints no dev tokens, and points to pasting one", async () => {
    await signInWithDevToken(page, { sub: "carol" });
    await error().waitFor({ state: "visible", timeout: WAIT_MS });
    expect(await error().textContent()).toContain("dev_tokens_disabled");
    expect(await error().getAttribute("role")).toBe("alert");
    expect(await page.getByRole("button", { name: "Mint token and connect" }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token-input");
  });

  it("refuses a pasted text that is not a token, and an expired token", async () => {
    await signInWithToken(page, "not-a-token");
    await page.locator("#sign-in-error", { hasText: "does not look like a token" }).waitFor({ timeout: WAIT_MS });
    await signInWithToken(page, await tokenFor({ sub: "carol" }, -60));
    await page.locator("#sign-in-error", { hasText: "expired" }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator("#dashboard").isHidden()).toBe(true);
  });

  it("connects with a pasted token, lists the people of the token's zone and only counts everyone", async () => {
    const user = `carol-${Date.now().toString(36)}`;
    await signInWithToken(page, await tokenFor({ sub: user, name: "Carol", zone: "eu" }));
    await waitForOwnStatus(page, "Online");
    expect(await page.locator("#me-name").textContent()).toBe("Carol");
    await waitForStatus(page, "zone:eu", user, "online");
    expect(await page.locator("section[data-scope]").evaluateAll((sections) => sections.map((s) => (s as HTMLElement).dataset.scope))).toEqual([
      "global",
      "zone:eu",
    ]);
    await waitForCounts(page, "global", { online: 1, total: 1 });
    expect(await page.locator("section[data-scope='global'] li").count()).toBe(0);
    expect(await page.locator("#connection").textContent()).toBe("Connected");
  });

  it("goes invisible and back: the roster drops the user, who still sees themself as Invisible", async () => {
    await page.getByLabel("Status", { exact: true }).selectOption("invisible");
    await page.getByRole("button", { name: "Update status" }).click();
    await waitForOwnStatus(page, "Invisible");
    const user = await page.locator("section[data-scope='zone:eu'] li .name", { hasText: "(you)" }).locator("xpath=ancestor::li").getAttribute("data-user");
    await waitForStatus(page, "zone:eu", user!, "offline");
    await waitForCounts(page, "global", { online: 0, total: 0 });
    // Back to automatic with the keyboard only: choose, then Tab past the text to the button.
    await page.getByLabel("Status", { exact: true }).focus();
    await page.getByLabel("Status", { exact: true }).selectOption("auto");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await waitForOwnStatus(page, "Online");
    await waitForStatus(page, "zone:eu", user!, "online");
    await waitForCounts(page, "global", { online: 1, total: 1 });
  });
});
