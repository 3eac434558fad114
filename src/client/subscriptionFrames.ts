import type { SubscribeFrame, UnsubscribeFrame } from "../protocol/frames";
import { MAX_FRAME_BYTES } from "../protocol/constants";

type SubscriptionFrame = SubscribeFrame | UnsubscribeFrame;

const utf8 = new TextEncoder();

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
  const frames: SubscriptionFrame[] = [];
  const emptyFrameBytes = byteLength(JSON.stringify({ type, users: [] }));
  let batch: string[] = [];
  let bytes = emptyFrameBytes;
  for (const user of users) {
    // The user's JSON string and a comma: the last one is counted without being sent.
    const userBytes = byteLength(JSON.stringify(user)) + 1;
    if (batch.length > 0 && bytes + userBytes > MAX_FRAME_BYTES) {
      frames.push({ type, users: batch });
      batch = [];
      bytes = emptyFrameBytes;
    }
    batch.push(user);
    bytes += userBytes;
  }
  if (batch.length > 0) frames.push({ type, users: batch });
  return frames;
}

function byteLength(text: string): number {
  return utf8.encode(text).length;
}
