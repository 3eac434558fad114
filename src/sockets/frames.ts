import type { z } from "zod";
import { describeIssues } from "../protocol/validation";
import { MAX_FRAME_BYTES, PING, PONG } from "../protocol/constants";
import type { ErrorCode } from "../protocol/errors";

/** Answers the heartbeat inside the runtime, so a ping never wakes the object. */
export function heartbeatAutoResponse(): WebSocketRequestResponsePair {
  return new WebSocketRequestResponsePair(PING, PONG);
}

export type ReadFrame =
  | { ok: true; value: unknown }
  | { ok: false; code: ErrorCode; message: string; tooBig: boolean };

/** Checks a frame's kind and size, then parses its JSON; what it returns still needs its schema. */
export function readJsonFrame(message: string | ArrayBuffer): ReadFrame {
  const tooBig = typeof message === "string" ? utf8LengthExceeds(message, MAX_FRAME_BYTES) : message.byteLength > MAX_FRAME_BYTES;
  if (tooBig) {
    return { ok: false, code: "invalid_frame", message: `frames are limited to ${MAX_FRAME_BYTES} bytes`, tooBig: true };
  }
  if (typeof message !== "string") {
    return { ok: false, code: "binary_frame", message: "frames must be JSON text", tooBig: false };
  }
  try {
    return { ok: true, value: JSON.parse(message) };
  } catch {
    return { ok: false, code: "invalid_json", message: "frame is not valid JSON", tooBig: false };
  }
}

/**
 * Whether `text` takes more than `limit` bytes as UTF-8, decided without encoding (copying) it: each
 * UTF-16 code unit takes one to three bytes, so most frames are settled by their length alone.
 */
function utf8LengthExceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) {
      bytes += 1;
    } else if (unit < 0x800) {
      bytes += 2;
    } else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4; // one code point beyond the BMP: two code units, four bytes
      index++;
    } else {
      bytes += 3; // the rest of the BMP, and a lone surrogate (sent as U+FFFD)
    }
    if (bytes > limit) return true;
  }
  return false;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Sends to a socket that may already be closing; one failed send never stops the caller's loop. */
export function sendText(ws: WebSocket, text: string): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(text);
    return true;
  } catch {
    return false;
  }
}

export function sendFrame(ws: WebSocket, frame: object): boolean {
  return sendText(ws, JSON.stringify(frame));
}

/** Refuses one frame; the socket stays open. */
export function sendError(ws: WebSocket, code: ErrorCode, message: string): void {
  sendFrame(ws, { type: "error", code, message });
}

export type ParsedFrame<T> = { ok: true; frame: T } | { ok: false; code: ErrorCode; message: string };

/** Validates a parsed frame against its schema, telling an unknown `type` apart from a bad field. */
export function parseFrame<T>(schema: z.ZodType<T>, knownTypes: readonly string[], value: unknown): ParsedFrame<T> {
  const type = typeof value === "object" && value !== null && "type" in value ? value.type : undefined;
  if (typeof type !== "string" || !knownTypes.includes(type)) {
    return { ok: false, code: "unknown_type", message: `unknown frame type; expected one of ${knownTypes.join(", ")}` };
  }
  const result = schema.safeParse(value);
  return result.success ? { ok: true, frame: result.data } : { ok: false, code: "invalid_frame", message: describeIssues(result.error) };
}

/**
 * Answers a close the client started. The runtime should do this itself from compatibility date
 * 2026-04-07, but local workerd was seen leaving clients to time out with 1006, so we close too
 * (a socket already closed makes this a no-op).
 */
export function answerClose(ws: WebSocket): void {
  try {
    ws.close(1000, "closed");
  } catch {
    // already closed by the runtime
  }
}
