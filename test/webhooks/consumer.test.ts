import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { PresenceChangedEvent } from "../../src/webhooks/events";
import { inOrder } from "../../src/webhooks/events";
import { MAX_RETRY_DELAY_S, retryDelayS } from "../../src/webhooks/retries";
import { testEnv, uniqueUser } from "../helpers";
import { deliveriesFor, failNext, verifies } from "./receiver";

function event(user: string, rev: number, status: PresenceChangedEvent["status"] = "online"): PresenceChangedEvent {
  return { id: crypto.randomUUID(), type: "presence.changed", user, status, previous: "offline", at: 1_000 + rev, rev };
}

async function consume(events: PresenceChangedEvent[], attempts = 1) {
  const batch = createMessageBatch<PresenceChangedEvent>("presence-webhooks", events.map((body, index) => ({ id: `m${index}`, timestamp: Date.now(), attempts, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv);
  return getQueueResult(batch, ctx);
}

afterEach(() => vi.restoreAllMocks());

/** The webhook data points written, as [metric, code, events]. */
function webhookPoints(): () => [string, string, number][] {
  const spy = vi.spyOn(testEnv.METRICS, "writeDataPoint");
  return () => spy.mock.calls.map(([point]) => [String(point?.blobs?.[0]), String(point?.blobs?.[2]), point?.doubles?.[0] ?? 0] as [string, string, number]).filter(([name]) => name.startsWith("webhook"));
}

describe("the webhook consumer", () => {
  it("POSTs up to 100 events as one signed batch and acknowledges it on a 2xx", async () => {
    const user = uniqueUser();
    const points = webhookPoints();
    const result = await consume(Array.from({ length: 100 }, (_, rev) => event(user, rev + 1)));
    expect(points()).toEqual([["webhook_delivered", "", 100]]);
    expect(result.ackAll).toBe(true);
    expect(result.retryBatch.retry).toBe(false);
    const [delivery] = await deliveriesFor(user);
    const body = JSON.parse(delivery?.body ?? "{}") as { events: PresenceChangedEvent[] };
    expect(body.events).toHaveLength(100);
    expect(await verifies(delivery?.signature ?? "", delivery?.body ?? "", testEnv.WEBHOOK_SECRET)).toBe(true);
  });

  it("retries the whole batch, with the backoff for its attempt, when the receiver answers 500", async () => {
    const user = uniqueUser();
    await failNext(user, 1);
    const points = webhookPoints();
    const result = await consume([event(user, 1), event(uniqueUser(), 1)], 3);
    expect(points()).toEqual([["webhook_failed", "500", 2]]);
    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(true);
    expect(result.retryBatch.delaySeconds ?? 0).toBe(retryDelayS(3, Number(testEnv.WEBHOOK_RETRY_BASE_S)));
    expect((await deliveriesFor(user))[0]?.attempt).toBe("3");
  });

  it("sorts a batch's events by time, one user's by rev", () => {
    const sorted = inOrder([event("a", 3), event("b", 1), event("a", 2)].map((e) => ({ ...e, at: 5 })));
    expect(sorted.filter((e) => e.user === "a").map((e) => e.rev)).toEqual([2, 3]);
  });
});

describe("retry backoff", () => {
  it.each([
    [1, 30, 30],
    [2, 30, 60],
    [7, 30, 1_920],
    [8, 30, MAX_RETRY_DELAY_S],
    [40, 30, MAX_RETRY_DELAY_S],
    [5, 0, 0],
  ])("attempt %i with a %i s base waits %i s", (attempt, base, delay) => {
    expect(retryDelayS(attempt, base)).toBe(delay);
  });

  it("keeps a failing batch for at least 24 hours over wrangler.toml's 32 retries before the dead-letter queue", () => {
    const total = Array.from({ length: 32 }, (_, index) => retryDelayS(index + 1, 30)).reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
  });
});
