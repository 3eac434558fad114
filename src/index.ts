import type { Env } from "./env";
import { createApp } from "./http/app";
import type { PresenceChangedEvent } from "./webhooks/events";
import { deliverWebhooks } from "./webhooks/consumer";

export { PresenceObject } from "./presence/PresenceObject";
export { RoomObject } from "./rooms/RoomObject";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => deliverWebhooks(batch, env),
} satisfies ExportedHandler<Env, PresenceChangedEvent>;
