import type { Locator, Page } from "playwright-core";

/** What the end-to-end tests do and read on the dashboard, in the words of its UI. */
export const WAIT_MS = 15_000;

export interface DevIdentity {
  sub: string;
  name?: string;
  org?: string;
  zone?: string;
}

export async function signInWithDevToken(page: Page, identity: DevIdentity): Promise<void> {
  await page.getByLabel("User id").fill(identity.sub);
  if (identity.name) await page.getByLabel("Display name").fill(identity.name);
  if (identity.org) await page.getByLabel("Organisation").fill(identity.org);
  if (identity.zone) await page.getByLabel("Zone").fill(identity.zone);
  await page.getByRole("button", { name: "Mint token and connect" }).click();
}

export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.getByLabel("Or paste a token").fill(token);
  await page.getByRole("button", { name: "Connect with this token" }).click();
}

/** A user's row in one scope's roster. */
export function rosterRow(page: Page, scope: string, user: string): Locator {
  return page.locator(`section[data-scope="${scope}"] li[data-user="${user}"]`);
}

/** Waits until `user` shows with `status` (a gray offline row included) in `scope`. */
export async function waitForStatus(page: Page, scope: string, user: string, status: string, timeout = WAIT_MS): Promise<void> {
  await page.locator(`section[data-scope="${scope}"] li[data-user="${user}"][data-status="${status}"]`).waitFor({ timeout });
}

export async function waitForCounts(page: Page, scope: string, counts: Partial<Record<"online" | "away" | "busy" | "total", number>>): Promise<void> {
  const attributes = Object.entries(counts)
    .map(([key, value]) => `[data-${key}="${value}"]`)
    .join("");
  await page.locator(`section[data-scope="${scope}"] .counts${attributes}`).waitFor({ timeout: WAIT_MS });
}

export async function waitForOwnStatus(page: Page, label: string): Promise<void> {
  await page.locator("#me-status", { hasText: new RegExp(`^${label}$`) }).waitFor({ timeout: WAIT_MS });
}

export async function setStatus(page: Page, status: string, text: string): Promise<void> {
  await page.getByLabel("Status", { exact: true }).selectOption(status);
  const input = page.getByLabel("Custom text");
  await input.fill(text);
  // Submitting with the keyboard, as a keyboard user would.
  await input.press("Enter");
}
