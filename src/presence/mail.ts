import { errorName, logEvent } from "../observability/log";
import type { Config } from "../config";
import type { Env } from "../env";
import { logWake } from "../observability/wakes";
import { Inbox, type StoredMessage } from "../messages/inbox";
import { CLIENT_ID_MEMORY_MS, MAX_INBOX, arriving, inboxFrames, messageOf, nextExpiry, receiptsBySender, typingAllowed } from "../messages/rules";
import { TYPING_SHOWS_MS } from "../protocol/constants";
import type { InboxPage, SendMessageResponse } from "../protocol/messages";
import { sightOf, type Subject, type Viewer } from "../visibility/rule";
import type { DeviceSockets } from "./deviceSockets";
import type { FocusPass } from "./subject";

/** A message on its way to this user; `viewer` is who sends as the visibility rule sees them (a service caller sends for `from`). */
export interface Incoming {
  from: string;
  /** The body as JSON text (it is stored and sent as text). */
  body: string;
  clientId?: string;
  viewer: Viewer;
}

export type Received = { ok: true; answer: SendMessageResponse } | { ok: false; reason: "forbidden" | "inbox_full" };

/**
 * Delivery by presence for one user's object: messages to this user (live to every device when one
 * is connected, stored until a device acknowledges them, sent again on the next connection), receipts
 * to senders, and typing notices both ways.
 */
export class Mail {
  readonly inbox: Inbox;
  private readonly typedAt = new Map<string, number>();

  constructor(
    sql: SqlStorage,
    private readonly env: Env,
    private readonly config: Config,
    private readonly user: string,
    private readonly sockets: DeviceSockets,
    /** Whether the user is invisible: senders then learn nothing of their devices (no delivered or read, in answers or receipts). */
    private readonly cloaked: () => boolean,
    /** Keeps work going after an answer (the object's `waitUntil`). */
    private readonly later: (work: Promise<unknown>) => void,
    /** The user as the visibility rule sees them now (null: never connected). */
    private readonly subject: () => Subject | null,
  ) {
    this.inbox = new Inbox(sql);
  }

  /**
   * Takes a message for this user. Refused (`forbidden`, as for an unknown user) when the user never
   * connected or the sender may not see them; `inbox_full` past `MAX_INBOX`. A sender's own id seen
   * within a day gets the first answer again.
   */
  receive(incoming: Incoming, subject: Subject | null, focused: readonly string[], now: number): Received {
    const sight = subject === null ? "none" : incoming.viewer.kind === "service" ? (subject.hasBlocked(incoming.from) ? "none" : "full") : sightOf(subject, incoming.viewer);
    if (sight === "none") return { ok: false, reason: "forbidden" };
    const { from, clientId } = incoming;
    const earlier = clientId === undefined ? null : this.inbox.answered(from, clientId, now - CLIENT_ID_MEMORY_MS);
    if (earlier !== null) return { ok: true, answer: JSON.parse(earlier) as SendMessageResponse };
    if (this.inbox.count() >= MAX_INBOX) return { ok: false, reason: "inbox_full" };
    const live = this.sockets.live();
    const senderScopes = incoming.viewer.kind === "user" ? incoming.viewer.scopes : [];
    const message = arriving(crypto.randomUUID(), from, senderScopes, incoming.body, now, live.length, focused);
    this.inbox.store(message);
    const shown = !this.cloaked();
    const answer: SendMessageResponse = { id: message.id, sentAt: message.sentAt, delivered: shown && message.delivered, read: shown && message.read };
    if (clientId !== undefined) this.inbox.remember(from, clientId, JSON.stringify(answer), now);
    this.sockets.send([{ device: null, frame: { type: "message", message: messageOf(message) } }]);
    // The sender's answer does not wait for the receipts to reach the sender's object.
    this.later(Promise.all([message.delivered ? this.tellSenders([message], "delivered") : null, message.read ? this.tellSenders([message], "read") : null]));
    return { ok: true, answer };
  }

  /** A device connected: it gets every stored message, oldest first; the ones no device had before count as delivered now. */
  async greet(device: string): Promise<void> {
    const stored = this.inbox.page(MAX_INBOX, null);
    this.sockets.send(inboxFrames(stored).map((frame) => ({ device, frame })));
    const delivered = this.inbox.mark(
      stored.filter((message) => !message.delivered).map((message) => message.id),
      "delivered",
    );
    await this.tellSenders(delivered, "delivered");
  }

  /** Acknowledged messages leave the inbox; acknowledged while their sender is in the acking device's focus, they count as read. */
  async ack(ids: readonly string[], focused: readonly string[]): Promise<number> {
    const removed = this.inbox.remove(ids);
    await this.tellSenders(
      removed.filter((message) => !message.read && focused.includes(message.from)),
      "read",
    );
    return removed.length;
  }

  /** The user read these messages. */
  async read(ids: readonly string[]): Promise<void> {
    await this.tellSenders(this.inbox.mark(ids, "read"), "read");
  }

  /** The inbox over REST, a page at a time (the cursor is the last message's id). */
  page(limit: number, cursor: string | null): InboxPage {
    const page = this.inbox.page(limit + 1, cursor);
    const messages = page.slice(0, limit);
    return { messages: messages.map(messageOf), next: page.length > limit ? (messages.at(-1)?.id ?? null) : null };
  }

  /** Receipts for messages this user sent: every device of theirs is told. */
  receipts(to: string, ids: readonly string[], state: "delivered" | "read"): void {
    logWake(this.config, "presence", "receipts");
    this.sockets.send(ids.map((id) => ({ device: null, frame: { type: "receipt", id, to, state } })));
  }

  /** A device of this user is typing to `to`: relayed at most once a second per device, as the rule lets the two see each other. */
  async typing(device: string, to: string, pass: FocusPass, now: number): Promise<void> {
    if (!typingAllowed(this.typedAt.get(device), now)) return;
    this.typedAt.set(device, now);
    try {
      await this.env.PRESENCE.getByName(to).typingFrom(this.user, pass);
    } catch (error) {
      logEvent("push_failed", { user: this.user, to, device, what: "typing notice", code: errorName(error) });
    }
  }

  /** Another user is typing to this user. */
  typingFrom(from: string, now: number): void {
    this.sockets.send([{ device: null, frame: { type: "typing", user: from, until: now + TYPING_SHOWS_MS } }]);
  }

  /** Drops expired messages and remembered ids. */
  expire(now: number): void {
    this.inbox.expire(now - this.config.inboxTtlMs, now - CLIENT_ID_MEMORY_MS);
  }

  nextDue(): number | null {
    return nextExpiry(this.inbox.oldest(), this.config.inboxTtlMs);
  }

  /** Receipts are hints, like focus: one lost on the way is not sent again. */
  private async tellSenders(messages: readonly StoredMessage[], state: "delivered" | "read"): Promise<void> {
    const subject = this.subject();
    if (this.cloaked() || subject === null) return;
    // A receipt says the receiver is around: only senders who may see them now get one (with the scopes they sent with).
    const allowed = messages.filter(({ from, senderScopes }) => sightOf(subject, { kind: "user", user: from, scopes: senderScopes }) !== "none");
    await Promise.all(
      [...receiptsBySender(allowed)].map(async ([sender, ids]) => {
        try {
          await this.env.PRESENCE.getByName(sender).receipts(this.user, ids, state);
        } catch (error) {
          logEvent("push_failed", { user: this.user, to: sender, what: `${state} receipts`, code: errorName(error) });
        }
      }),
    );
  }
}
