/**
 * What the platform publishes: Workers Paid prices for Durable Objects and their limits. Figures as
 * the issue and Cloudflare's pricing and limits pages state them; free allowances left out (they
 * vanish at scale), storage left out (cents per GB-month, not per user-hour).
 */

export const PRICES = {
  /** Durable Object requests: HTTP, each RPC call, each alarm; incoming socket messages 20 to one. */
  perMillionRequests: 0.15,
  /** SQLite rows written; each setAlarm() is billed as one. */
  perMillionRowsWritten: 1.0,
  perMillionRowsRead: 0.001,
  /** Wall-clock while an object is active (not idle-hibernatable), at 128 MB. */
  perMillionGbSeconds: 12.5,
} as const;

/** Incoming WebSocket messages are billed 20 to one request. */
export const SOCKET_MESSAGES_PER_REQUEST = 20;
/** Cloudflare's own examples bill 128 MB as 0.128 GB. */
const GB_PER_OBJECT = 0.128;
/** 365 × 24 ÷ 12. */
const HOURS_PER_MONTH = 730;

export const LIMITS = {
  /** "About 1,000 requests a second" per object (soft: beyond it, requests queue and get overloaded errors). */
  requestsPerSecond: 1_000,
  /** Hibernatable WebSockets per object (hard). */
  socketsPerObject: 32_768,
  /** What the design plans per fan-out object (and today's MAX_WATCHERS per room). */
  plannedSocketsPerObject: 10_000,
  /** CPU time per request (configurable up to 5 min; the default). */
  cpuMsPerRequest: 30_000,
} as const;

/** The target, all charges in, default settings, 25 s pings included. */
export const TARGET_DOLLARS_PER_USER_MONTH = 0.004;

export interface MonthlyCost {
  requests: number;
  rowsWritten: number;
  rowsRead: number;
  duration: number;
  total: number;
  /** The line that costs most. */
  dominant: "requests" | "rowsWritten" | "rowsRead" | "duration";
}

/** Dollars a month for usage given per hour. */
export function monthlyCost(perHour: { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number }): MonthlyCost {
  const month = (value: number) => value * HOURS_PER_MONTH;
  const lines = {
    requests: (month(perHour.requests) / 1e6) * PRICES.perMillionRequests,
    rowsWritten: (month(perHour.rowsWritten) / 1e6) * PRICES.perMillionRowsWritten,
    rowsRead: (month(perHour.rowsRead) / 1e6) * PRICES.perMillionRowsRead,
    duration: ((month(perHour.activeSeconds) * GB_PER_OBJECT) / 1e6) * PRICES.perMillionGbSeconds,
  };
  const dominant = (Object.entries(lines) as [MonthlyCost["dominant"], number][]).reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
  return { ...lines, total: lines.requests + lines.rowsWritten + lines.rowsRead + lines.duration, dominant };
}

/** What kind of object a class and name are: a user's PresenceObject, or a room of a kind of scope (a shard's name starts with its scope's). */
export type ObjectKind = "presence" | "global" | "org" | "zone" | "other";

export function objectKind(className: string, name: string): ObjectKind {
  if (className === "PresenceObject") return "presence";
  if (className !== "RoomObject") return "other";
  if (name === "global" || name.startsWith("global#")) return "global";
  if (name.startsWith("org:")) return "org";
  if (name.startsWith("zone:")) return "zone";
  return "other";
}
