import type { Config } from "../config";
import type { Env } from "../env";
import { errorName, logEvent } from "../observability/log";
import type { VisibleChange } from "../presence/visibleStatus";
import { presenceChanged } from "./events";

/** How many times an event is offered to the queue before it is given up (and logged). */
const ENQUEUE_TRIES = 2;

/**
 * Hands a change of the user's visible status to the webhook queue, when webhooks are configured.
 * Enqueueing is the only cost presence pays; the consumer does the slow part.
 */
export async function announce(env: Pick<Env, "WEBHOOKS">, config: Config, user: string, change: VisibleChange | null): Promise<void> {
  if (change === null || config.webhooks === null) return;
  const event = presenceChanged(user, change, crypto.randomUUID());
  for (let attempt = 1; attempt <= ENQUEUE_TRIES; attempt += 1) {
    try {
      await env.WEBHOOKS.send(event, { contentType: "json" });
      return;
    } catch (error) {
      if (attempt === ENQUEUE_TRIES) logEvent("webhook_enqueue_failed", { user, code: errorName(error), attempts: attempt, detail: `${event.id} ${event.status}` });
    }
  }
}
