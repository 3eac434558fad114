/**
 * The conversations of this visit, one per person, as plain data: the messages exchanged (incoming
 * from the client's `message` events, outgoing from `send`), how far each outgoing one got, which
 * incoming ones are not read yet, and until when the person shows as typing.
 *
 * An outgoing message is `sending`, then `sent` (kept for an offline receiver), `delivered` or `read`,
 * or `failed`. A receipt may come before the answer to `send`, so receipts are kept by message id.
 */
const PROGRESS = { sending: 0, sent: 1, delivered: 2, read: 3 };

export class Conversations {
  constructor() {
    this.byUser = new Map();
    this.receipts = new Map();
    this.typingUntil = new Map();
    this.sentCount = 0;
  }

  entriesOf(user) {
    let entries = this.byUser.get(user);
    if (!entries) this.byUser.set(user, (entries = []));
    return entries;
  }

  /** A message from `message.from`; unread unless the service says it was read already. */
  incoming(message) {
    const entry = { key: `in:${message.id}`, direction: "in", user: message.from, id: message.id, body: message.body, unread: !message.read };
    this.entriesOf(message.from).push(entry);
    // A message is what the typing was for.
    this.typingUntil.delete(message.from);
    return entry;
  }

  outgoing(to, body) {
    this.sentCount += 1;
    const entry = { key: `out:${this.sentCount}`, direction: "out", user: to, id: null, body, state: "sending", error: null };
    this.entriesOf(to).push(entry);
    return entry;
  }

  /** The service's answer to `send`. */
  sent(entry, answer) {
    entry.id = answer.id;
    this.advance(entry, answer.read ? "read" : answer.delivered ? "delivered" : "sent");
    this.advance(entry, this.receipts.get(answer.id) ?? "sent");
  }

  failed(entry, error) {
    entry.state = "failed";
    entry.error = error;
  }

  /** A receipt for a message the user sent; returns its entry when this visit sent it (and has its answer). */
  receipt({ id, to, state }) {
    if (PROGRESS[state] > PROGRESS[this.receipts.get(id) ?? "sending"]) this.receipts.set(id, state);
    const entry = this.byUser.get(to)?.find((candidate) => candidate.id === id) ?? null;
    if (entry) this.advance(entry, state);
    return entry;
  }

  unreadCount(user) {
    return (this.byUser.get(user) ?? []).filter((entry) => entry.unread).length;
  }

  /** Marks every message from `user` read; returns the ids that were unread. */
  readAll(user) {
    const unread = (this.byUser.get(user) ?? []).filter((entry) => entry.unread);
    for (const entry of unread) entry.unread = false;
    return unread.map((entry) => entry.id);
  }

  typing(user, until) {
    this.typingUntil.set(user, until);
  }

  /** Until when `user` shows as typing, or null when they do not (any more). */
  typingOf(user, now = Date.now()) {
    const until = this.typingUntil.get(user);
    return until !== undefined && until > now ? until : null;
  }

  /** Receipts only move a message forward: a late `delivered` never undoes `read`. */
  advance(entry, state) {
    if (entry.state !== "failed" && PROGRESS[state] > PROGRESS[entry.state]) entry.state = state;
  }
}

/** What a message body shows: its text, for the `{text}` bodies the dashboard sends, else the JSON. */
export function textOf(body) {
  if (typeof body === "string") return body;
  if (typeof body?.text === "string") return body.text;
  return JSON.stringify(body);
}
