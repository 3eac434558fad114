import { MAX_MESSAGES_PER_FRAME, TYPING_INTERVAL_MS } from "../protocol/constants";
import type { InboxFrame } from "../protocol/frames";
import type { Message } from "../protocol/messages";
import type { StoredMessage } from "./inbox";

/**
 * Delivery by presence, as pure rules: what an arriving message is, how a stored inbox goes out, who
 * gets which receipt, and how often typing is relayed.
 */

/** At most this many messages wait in one user's inbox; past it a send is refused (429 `inbox_full`), never dropped silently. */
export const MAX_INBOX = 1_000;

/** How long a sender's own message id is remembered, so a retry within it is not delivered twice. */
export const CLIENT_ID_MEMORY_MS = 24 * 60 * 60 * 1000;


/** A message arriving for a receiver whose devices `focused` (their partners in focus) and who has `live` devices. */
export function arriving(id: string, from: string, senderScopes: readonly string[], body: string, sentAt: number, live: number, focused: readonly string[]): StoredMessage {
  return { id, from, body: JSON.parse(body) as unknown, sentAt, delivered: live > 0, read: live > 0 && focused.includes(from), senderScopes: [...senderScopes] };
}

/** The message as the receiver's devices get it. */
export function messageOf({ delivered: _delivered, senderScopes: _scopes, ...message }: StoredMessage): Message {
  return message;
}

/**
 * When stored messages or remembered ids next expire. Ids lapse on the hour after their day (a
 * lookup checks the time anyway), so ids sent through a day cost one wake an hour, not one each.
 */
export function nextExpiry(oldest: { message: number | null; answer: number | null }, ttlMs: number): number | null {
  const answerDue = oldest.answer === null ? null : Math.ceil((oldest.answer + CLIENT_ID_MEMORY_MS) / ID_EXPIRY_STEP_MS) * ID_EXPIRY_STEP_MS;
  const times = [oldest.message === null ? null : oldest.message + ttlMs, answerDue].filter((time): time is number => time !== null);
  return times.length ? Math.min(...times) : null;
}

const ID_EXPIRY_STEP_MS = 60 * 60 * 1000;

/** A stored inbox as frames of at most `MAX_MESSAGES_PER_FRAME`, oldest first. */
export function inboxFrames(messages: readonly StoredMessage[]): InboxFrame[] {
  const frames: InboxFrame[] = [];
  for (let start = 0; start < messages.length; start += MAX_MESSAGES_PER_FRAME) {
    frames.push({ type: "inbox", messages: messages.slice(start, start + MAX_MESSAGES_PER_FRAME).map(messageOf) });
  }
  return frames;
}

/** Receipts to send, by sender: the ids of their messages that changed state. */
export function receiptsBySender(messages: readonly StoredMessage[]): Map<string, string[]> {
  const bySender = new Map<string, string[]>();
  for (const { from, id } of messages) bySender.set(from, [...(bySender.get(from) ?? []), id]);
  return bySender;
}

/** Whether a typing notice sent now goes out, after one sent at `last`. */
export function typingAllowed(last: number | undefined, now: number): boolean {
  return last === undefined || now - last >= TYPING_INTERVAL_MS;
}

