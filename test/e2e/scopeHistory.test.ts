import { describe, expect, it } from "vitest";
import { chartFigureOf, historyChart, WAIT_MS, waitForStatus } from "./dashboardPage";
import { dashboardSession, unique } from "./dashboardSession";

/** Each scope card's chart of the last 24 hours, drawn from the service's history. */

// The default OFFLINE_AFTER_MS: the pages' heartbeats keep everyone online for the whole test, so each chart's figures only grow.
const { signedIn } = dashboardSession({ DEV_TOKENS: "true" });

/** A chart reads its history again soon after its card's counts change, but at most once per 10 s. */
const CHART_CATCHES_UP_MS = 10_000 + WAIT_MS;

describe("the dashboard's history charts", () => {
  it("charts every scope card, and the organisation's chart counts a colleague who comes online", async () => {
    const org = unique("charts");
    const zone = unique("zone");
    const alice = { sub: `alice-${org}`, name: "Alice", org, zone };
    const bob = { sub: `bob-${org}`, name: "Bob", org };
    const alicePage = await signedIn(alice);

    const scopes = ["global", `org:${org}`, `zone:${zone}`];
    const cards = alicePage.locator("section[data-scope]");
    expect(await cards.evaluateAll((sections) => sections.map((section) => section.getAttribute("data-scope")))).toEqual(scopes);
    for (const scope of scopes) {
      await expect(historyChart(alicePage, scope).getAttribute("role")).resolves.toBe("img");
      await expect(chartFigureOf(alicePage, scope, "busy")).resolves.toBe(0);
    }
    await expect.poll(() => chartFigureOf(alicePage, `zone:${zone}`, "online"), { timeout: CHART_CATCHES_UP_MS }).toBe(1);

    const bobPage = await signedIn(bob);
    await waitForStatus(alicePage, `org:${org}`, bob.sub, "online");
    await expect.poll(() => chartFigureOf(alicePage, `org:${org}`, "online"), { timeout: CHART_CATCHES_UP_MS }).toBeGreaterThanOrEqual(2);
    const orgChart = historyChart(alicePage, `org:${org}`);
    const shown = await orgChart.evaluate((svg) => ({
      label: svg.getAttribute("aria-label"),
      title: svg.querySelector("title")?.textContent,
      online: svg.dataset.online,
    }));
    expect(shown.label).toBe(`Organisation ${org}, last 24 hours: latest 5 minutes: ${shown.online} online, 0 away, 0 busy; most online: ${shown.online}`);
    expect(shown.title).toBe(shown.label);
    expect(await orgChart.locator("path.online").getAttribute("d")).toMatch(/^M[\d.,L]+Z$/);
    // 5-minute points over 24 hours, the current step included.
    expect(Number(await orgChart.getAttribute("data-points"))).toBeGreaterThanOrEqual(288);
    // Bob is in the organisation, not in Alice's zone.
    expect(await chartFigureOf(alicePage, `zone:${zone}`, "online")).toBe(1);
    await expect.poll(() => chartFigureOf(bobPage, `org:${org}`, "online"), { timeout: CHART_CATCHES_UP_MS }).toBeGreaterThanOrEqual(2);

    await alicePage.screenshot({ path: "test-results/dashboard-history.png", fullPage: true });
  });
});
