import { MAX_FRAME_BYTES } from "./protocol.js";

const utf8 = new TextEncoder();

/**
 * `items` in order, split into batches that each fit one frame: `emptyFrame` is the frame with an
 * empty list, the batch's JSON strings go into that list, the frame stays within MAX_FRAME_BYTES,
 * and a batch holds at most `maxItems`.
 */
export function frameBatches(emptyFrame: object, items: readonly string[], maxItems = Infinity): string[][] {
  const batches: string[][] = [];
  const emptyFrameBytes = byteLength(JSON.stringify(emptyFrame));
  let batch: string[] = [];
  let bytes = emptyFrameBytes;
  for (const item of items) {
    // The item's JSON string and a comma: the last one is counted without being sent.
    const itemBytes = byteLength(JSON.stringify(item)) + 1;
    if (batch.length > 0 && (bytes + itemBytes > MAX_FRAME_BYTES || batch.length >= maxItems)) {
      batches.push(batch);
      batch = [];
      bytes = emptyFrameBytes;
    }
    batch.push(item);
    bytes += itemBytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function byteLength(text: string): number {
  return utf8.encode(text).length;
}
