import type { Config } from "../config";
import type { Env } from "../env";
import { logEvent } from "../observability/log";
import type { VisibleChange } from "../presence/visibleStatus";
import { presenceChanged } from "./events";

/**
 * Hands a change of the user's visible status to the webhook queue, when webhooks are configured.
 * Enqueueing is the only cost presence pays; the consumer does the slow part.
 */
export async function announce(env: Pick<Env, "WEBHOOKS">, config: Config, user: string, change: VisibleChange | null): Promise<void> {
  if (change === null || config.webhooks === null) return;
  try {
    await env.WEBHOOKS.send(presenceChanged(user, change, crypto.randomUUID()), { contentType: "json" });
  } catch (error) {
    logEvent("webhook_enqueue_failed", { user, what: error instanceof Error ? error.message : "send failed" });
  }
}
