import type { SubscribeFrame, UnsubscribeFrame } from "./protocol.js";
import { frameBatches } from "./frameBatches.js";

type SubscriptionFrame = SubscribeFrame | UnsubscribeFrame;

/**
 * The frames that take a socket from following `told` to following `wanted`: the unsubscribes first,
 * so the service never holds more than both sets' larger size, then the subscribes, each list split
 * so that no frame exceeds MAX_FRAME_BYTES.
 */
export function subscriptionFrames(told: ReadonlySet<string>, wanted: ReadonlySet<string>): SubscriptionFrame[] {
  return [
    ...framesCarrying("unsubscribe", [...told].filter((user) => !wanted.has(user))),
    ...framesCarrying("subscribe", [...wanted].filter((user) => !told.has(user))),
  ];
}

function framesCarrying(type: SubscriptionFrame["type"], users: readonly string[]): SubscriptionFrame[] {
  return frameBatches({ type, users: [] }, users).map((batch) => ({ type, users: batch }));
}
