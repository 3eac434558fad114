/**
 * Handing a socket's context (who connects, from which device) from a worker route to an object.
 * Not in a header (header values are byte strings: an emoji or CJK name would not survive, and
 * headers get logged) and not in a body (an upgrade request carries none): the route first hands
 * the context over by RPC and gets a one-time ticket, then forwards a bare upgrade naming it.
 */

/** How long a ticket waits for its upgrade; the route sends it right after getting it. */
export const TICKET_TTL_MS = 10_000;

const BASE = "https://object.internal/upgrade/";

/** The request a route forwards to an object to open a socket there; nothing the client sent but the upgrade reaches the object. */
export function internalUpgrade(ticket = ""): Request {
  return new Request(`${BASE}${ticket}`, { headers: { Upgrade: "websocket" } });
}

/** Who watches, until when: plain ids and a number, safe to carry in the internal URL. */
export interface WatchContext {
  sub: string;
  expiresAt: number;
  /** The watcher gets the counts by status only, no members. */
  countsOnly?: boolean;
}

export function watchUpgrade(context: WatchContext): Request {
  const query = new URLSearchParams({ sub: context.sub, expiresAt: String(context.expiresAt), ...(context.countsOnly ? { counts: "1" } : {}) });
  return new Request(`${BASE}?${query}`, { headers: { Upgrade: "websocket" } });
}

export function watchContext(request: Request): WatchContext {
  const query = new URL(request.url).searchParams;
  return { sub: query.get("sub") ?? "", expiresAt: Number(query.get("expiresAt") ?? "0"), ...(query.get("counts") === "1" ? { countsOnly: true } : {}) };
}

/** Contexts handed over by RPC, each taken once by the upgrade that names its ticket. */
export class UpgradeTickets<T> {
  private readonly waiting = new Map<string, { context: T; expiresAt: number }>();

  issue(context: T, now: number): string {
    for (const [ticket, entry] of this.waiting) if (entry.expiresAt <= now) this.waiting.delete(ticket);
    const ticket = crypto.randomUUID();
    this.waiting.set(ticket, { context, expiresAt: now + TICKET_TTL_MS });
    return ticket;
  }

  /** The context for the upgrade `request`, or null when its ticket is unknown, used or expired. */
  take(request: Request, now: number): T | null {
    const ticket = new URL(request.url).pathname.slice(new URL(BASE).pathname.length);
    const entry = this.waiting.get(ticket);
    this.waiting.delete(ticket);
    return entry && entry.expiresAt > now ? entry.context : null;
  }
}
