import { mkdir } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./browser";
import { signInWithDevToken, waitForOwnStatus, type DevIdentity } from "./dashboardPage";
import { startDevServer, type DevServer } from "./wranglerDev";

/** An id no other run uses. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/**
 * A test file's dashboard: one `wrangler dev` with `vars` and one Chromium for the file, a browser
 * context per person, closed after each test, which fails on any error a page threw.
 */
export function dashboardSession(vars: Record<string, string>): { signedIn(person: DevIdentity): Promise<Page> } {
  let server: DevServer;
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let failures: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDevServer(vars), launchBrowser()]);
    await mkdir("test-results", { recursive: true });
  });

  afterEach(async () => {
    await Promise.allSettled(contexts.map((context) => context.close()));
    contexts = [];
    expect(failures).toEqual([]);
    failures = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  return {
    /** A person signed in on their own page (in a browser context of their own), online. */
    async signedIn(person) {
      const context = await browser.newContext({ viewport: { width: 1180, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => failures.push(`${person.sub}: ${error.message}`));
      await page.goto(server.url);
      await signInWithDevToken(page, person);
      await waitForOwnStatus(page, "Online");
      return page;
    },
  };
}
