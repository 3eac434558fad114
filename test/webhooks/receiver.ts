import { testEnv } from "../helpers";
import type { PresenceChangedEvent } from "../../src/webhooks/events";

/** What the test receiver (receiverServer.ts) recorded of one POST. */
export interface Delivery {
  status: number;
  signature: string | null;
  attempt: string | null;
  body: string;
  users: string[];
}

const base = new URL(testEnv.WEBHOOK_URL).origin;

/** Every POST the receiver got that carried an event of `user`, in arrival order. */
export async function deliveriesFor(user: string): Promise<Delivery[]> {
  return (await (await fetch(`${base}/received?user=${encodeURIComponent(user)}`)).json()) as Delivery[];
}

/** `user`'s events the receiver accepted (answered 2xx), in arrival order. */
export async function eventsFor(user: string): Promise<PresenceChangedEvent[]> {
  const accepted = (await deliveriesFor(user)).filter((delivery) => delivery.status === 200);
  return accepted.flatMap((delivery) => (JSON.parse(delivery.body) as { events: PresenceChangedEvent[] }).events.filter((event) => event.user === user));
}

/** The receiver answers 500 to the next `times` POSTs carrying an event of `user`. */
export async function failNext(user: string, times = 1): Promise<void> {
  await fetch(`${base}/fail?user=${encodeURIComponent(user)}&times=${times}`, { method: "POST" });
}

/** Checks a `Presence-Signature` the way a receiver would: the HMAC of "<t>.<body>" with the secret, and `t` within `toleranceS` of now. */
export async function verifies(header: string, body: string, secret: string, toleranceS = 300): Promise<boolean> {
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=") as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS || !parts.v1) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const mac = new Uint8Array(parts.v1.match(/../g)?.map((byte) => parseInt(byte, 16)) ?? []);
  return crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${t}.${body}`));
}
