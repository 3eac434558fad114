/**
 * Protocol constants with no schema behind them, kept free of zod so the browser client can import
 * them without carrying a validator.
 */

/** The largest text frame a socket accepts, in bytes; a larger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 4096;

/** The heartbeat: this literal text frame is answered `pong` without waking any object. */
export const PING = "ping";
export const PONG = "pong";

/** Close codes the service uses besides the standard ones. */
export const CloseCode = {
  messageTooBig: 1009,
  heartbeatTimeout: 4000,
  deviceReplaced: 4001,
  tokenExpired: 4003,
  disconnected: 4004,
} as const;

/** How many users one device may follow by subscription at once. */
export const MAX_SUBSCRIPTIONS = 500;

/** How many users one contacts or blocks change may add, and how many it may remove. */
export const MAX_RELATION_CHANGE = 100;

/** The largest message body, as JSON text, in bytes. */
export const MAX_MESSAGE_BODY_BYTES = 8 * 1024;

/** How many message ids one `ack` or `read` names, and how many messages one `inbox` frame carries. */
export const MAX_MESSAGES_PER_FRAME = 100;

/** One typing notice per device a second; more are dropped. */
export const TYPING_INTERVAL_MS = 1_000;

/** How long a typing notice shows unless refreshed. */
export const TYPING_SHOWS_MS = 6_000;
