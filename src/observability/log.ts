/**
 * Structured logs: one JSON line per event that matters to an operator (connects, disconnects,
 * refusals, failed pushes and webhooks), read by Workers Logs when `[observability]` is on. Fields
 * are typed so a token has nowhere to go, and any string shaped like a JWT is masked anyway.
 */

export type LogEvent =
  | "connect"
  | "disconnect"
  | "watch"
  | "unwatch"
  | "refusal"
  | "push_failed"
  | "webhook_failed"
  | "webhook_enqueue_failed"
  | "internal_error";

export interface LogFields {
  user?: string;
  device?: string;
  scope?: string;
  /** The other user a push or notice was for. */
  to?: string;
  /** An error code (`invalid_token`), a close code, or an HTTP status. */
  code?: string | number;
  status?: number;
  /** What was being done: a route, a kind of push. */
  what?: string;
  count?: number;
  attempts?: number;
  /** A failure's message (masked like every field). */
  detail?: string;
}

const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;

function masked(value: string | number): string | number {
  return typeof value === "string" ? value.replace(JWT_SHAPE, "[token]") : value;
}

/** A failure's kind for a log line (its message may quote anything, so only the name goes). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}

export function logEvent(event: LogEvent, fields: LogFields): void {
  const line: Record<string, string | number> = { event };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) line[key] = masked(value);
  console.log(JSON.stringify(line));
}
