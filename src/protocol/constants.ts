/**
 * Protocol constants with no schema behind them. Those the client needs are defined once, in the
 * client package's protocol module (zod-free, published with it), and re-exported here for the
 * service; the rest are the service's own.
 */
export {
  CloseCode,
  MAX_FRAME_BYTES,
  MAX_MESSAGES_PER_FRAME,
  MAX_RELATION_CHANGE,
  MAX_SUBSCRIPTIONS,
  PING,
  PONG,
  TYPING_INTERVAL_MS,
} from "../../packages/client/src/protocol";

/** The largest message body, as JSON text, in bytes. */
export const MAX_MESSAGE_BODY_BYTES = 8 * 1024;

/** How long a typing notice shows unless refreshed. */
export const TYPING_SHOWS_MS = 6_000;
