import { readConfig, type WebhookConfig } from "../config";
import type { Env } from "../env";
import { logEvent } from "../observability/log";
import { metric } from "../observability/metrics";
import { inOrder, type PresenceChangedEvent, type WebhookBatch } from "./events";
import { retryDelayS } from "./retries";
import { SIGNATURE_HEADER, signature } from "./signature";

/** How long the receiver has to answer one POST. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

type Outcome = { ok: true } | { ok: false; code: number | string };

async function post(hooks: WebhookConfig, body: string, attempt: number): Promise<Outcome> {
  const headers = {
    "Content-Type": "application/json",
    [SIGNATURE_HEADER]: await signature(hooks.secret, body, Math.floor(Date.now() / 1000)),
    "Presence-Attempt": String(attempt),
  };
  try {
    const response = await fetch(hooks.url, { method: "POST", headers, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, code: response.status };
  } catch (error) {
    return { ok: false, code: error instanceof Error && error.name === "TimeoutError" ? "timeout" : "unreachable" };
  }
}

/**
 * The queue consumer: one signed POST per batch (at most 100 events, gathered for at most 1 s).
 * A non-2xx answer or no answer retries the whole batch with backoff; after `max_retries` the
 * queue moves it to the dead-letter queue. Delivery is at least once.
 */
export async function deliverWebhooks(batch: MessageBatch<PresenceChangedEvent>, env: Env): Promise<void> {
  const hooks = readConfig(env).webhooks;
  const attempt = Math.max(...batch.messages.map((message) => message.attempts));
  const events = inOrder(batch.messages.map((message) => message.body));
  const outcome: Outcome = hooks ? await post(hooks, JSON.stringify({ events } satisfies WebhookBatch), attempt) : { ok: false, code: "not_configured" };
  if (outcome.ok) {
    metric(env, "webhook_delivered", {}, events.length);
    batch.ackAll();
    return;
  }
  logEvent("webhook_failed", { code: outcome.code, count: events.length, attempts: attempt });
  metric(env, "webhook_failed", { code: String(outcome.code) }, events.length);
  batch.retryAll({ delaySeconds: retryDelayS(attempt, hooks?.retryBaseS ?? 3_600) });
}
