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

/** A contact's row in the Contacts card. */
export function contactRow(page: Page, user: string): Locator {
  return page.locator(`#contact-list li[data-user="${user}"]`);
}

/** A user's row in the Contacts card's list of blocked users. */
export function blockedRow(page: Page, user: string): Locator {
  return page.locator(`#blocked-list li[data-user="${user}"]`);
}

/** Adds a contact by id, as a keyboard user would, and waits until the card lists them. */
export async function addContact(page: Page, user: string): Promise<void> {
  const input = page.getByLabel("Add a contact by id");
  await input.fill(user);
  await input.press("Enter");
  await contactRow(page, user).waitFor({ timeout: WAIT_MS });
}

/** Waits until the contact's dot, driven by the subscription, shows `status` (`offline` for a user one may not see). */
export async function waitForContactStatus(page: Page, user: string, status: string, timeout = WAIT_MS): Promise<void> {
  await page.locator(`#contact-list li[data-user="${user}"][data-status="${status}"]`).waitFor({ timeout });
}

type Audience = "everyone" | "contacts" | "nobody";

/** Chooses who sees the user (and, when given, who sees their last activity), saves, and waits for the service's answer. */
export async function setPrivacy(page: Page, visibility: Audience, lastSeen?: Audience): Promise<void> {
  await page.getByLabel("Who sees you", { exact: true }).selectOption(visibility);
  if (lastSeen) await page.getByLabel("Who sees when you were last active").selectOption(lastSeen);
  await page.getByRole("button", { name: "Save privacy" }).click();
  const saved = `#privacy-note[data-visibility="${visibility}"]${lastSeen ? `[data-last-seen="${lastSeen}"]` : ""}`;
  await page.locator(saved, { hasText: "Saved." }).waitFor({ timeout: WAIT_MS });
}

/** The number a counts line shows, once it shows one. */
export async function countOf(page: Page, scope: string, key: "online" | "away" | "busy" | "total"): Promise<number> {
  const counts = page.locator(`section[data-scope="${scope}"] .counts[data-${key}]`);
  await counts.waitFor({ timeout: WAIT_MS });
  return Number(await counts.getAttribute(`data-${key}`));
}

/** A scope card's chart of the last 24 hours. */
export function historyChart(page: Page, scope: string): Locator {
  return page.locator(`section[data-scope="${scope}"] svg[data-history-scope="${scope}"]`);
}

/** A figure of the chart's latest point, once the chart shows the service's history. */
export async function chartFigureOf(page: Page, scope: string, key: "online" | "away" | "busy"): Promise<number> {
  const chart = historyChart(page, scope).and(page.locator('[data-state="shown"]'));
  await chart.waitFor({ timeout: WAIT_MS });
  return Number(await chart.getAttribute(`data-${key}`));
}

/** Opens the conversation with `user` (shown as `name`) from their row in `scope`, and waits for the panel. */
export async function openChat(page: Page, scope: string, user: string, name: string): Promise<void> {
  await rosterRow(page, scope, user).getByRole("button", { name: `Chat with ${name}`, exact: true }).click();
  await page.locator(`#chat[data-user="${user}"]`).waitFor({ timeout: WAIT_MS });
}

/** Types a message to `name` in the open conversation and sends it with Enter, as a keyboard user would. */
export async function sendChatMessage(page: Page, name: string, text: string): Promise<void> {
  const input = page.getByLabel(`Message to ${name}`, { exact: true });
  await input.fill(text);
  await input.press("Enter");
}

/** A message in the open conversation, found by its text. */
export function chatMessage(page: Page, text: string): Locator {
  return page.locator("#chat-log li.message").filter({ has: page.locator(".message-text", { hasText: text }) });
}

/** Waits until the user's own message with this text shows `state` (sending, sent, delivered, read or failed). */
export async function waitForMessageState(page: Page, text: string, state: string): Promise<void> {
  await chatMessage(page, text).and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout: WAIT_MS });
}
