import { showCounts } from "./counts.js";
import { scopeCard } from "./scopeCard.js";
import { STATUS_LABELS, STATUS_ORDER, displayName, scopeTitle } from "./labels.js";

/**
 * One scope's card: its live roster with colored status dots and counts, and its chart of the last 24
 * hours. Users who leave stay listed as offline (gray) for the rest of the visit (as do people who hid
 * from the user). Rows are updated in place, so a keyboard user's focus on a Chat or Block button
 * survives every change. Anyone but the user can be chatted with: messages to someone offline wait for them.
 */
export class ScopeView {
  /** `unreadOf(user)`: how many of the person's messages the user has not read. */
  constructor(document, container, scope, { self, onChat, onToggleBlock, unreadOf }) {
    this.document = document;
    this.self = self;
    this.onChat = onChat;
    this.onToggleBlock = onToggleBlock;
    this.unreadOf = unreadOf;
    this.blocked = new Set();
    this.known = new Map();
    this.rows = new Map();
    this.partner = null;
    this.focusedBy = new Set();
    const card = scopeCard(document, "scope-template", scope);
    this.root = card.root;
    /** The card's chart of the last 24 hours, which the app keeps fed with the scope's history. */
    this.history = card.history;
    this.list = this.root.querySelector(".roster");
    this.list.setAttribute("aria-label", `People in ${scopeTitle(scope)}`);
    this.counts = this.root.querySelector(".counts");
    this.empty = this.root.querySelector(".empty");
    container.append(this.root);
  }

  /** Shows the watch's members; anyone known before and missing now is shown offline. */
  render(members, counts, synced) {
    const present = new Set();
    for (const member of members) {
      present.add(member.user);
      this.known.set(member.user, member);
    }
    const rows = [...this.known.values()].map((member) => (present.has(member.user) ? member : { ...member, status: "offline", text: null }));
    rows.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || displayName(a).localeCompare(displayName(b)));
    rows.forEach((member) => this.renderRow(member));
    if (rows.some((member, index) => this.list.children[index] !== this.rows.get(member.user))) {
      this.list.append(...rows.map((member) => this.rows.get(member.user)));
    }
    this.root.setAttribute("aria-busy", String(!synced));
    this.empty.hidden = rows.length > 0;
    showCounts(this.counts, counts);
  }

  /** The users the user blocked: their Block buttons read Unblock. */
  setBlocked(blocked) {
    this.blocked = blocked;
    for (const row of this.rows.values()) this.renderBlock(row);
  }

  /** Who this device chats with, and who has a chat with the user open. */
  setChat(partner, focusedBy) {
    this.partner = partner;
    this.focusedBy = focusedBy;
    for (const row of this.rows.values()) this.renderChat(row);
  }

  /** The counts of unread messages changed. */
  showUnread() {
    for (const row of this.rows.values()) this.renderUnread(row);
  }

  /** Puts the keyboard on the person's Chat button; false when they are not listed here. */
  focusChat(user) {
    const button = this.rows.get(user)?.querySelector(".chat");
    button?.focus();
    return button !== undefined;
  }

  renderRow(member) {
    let row = this.rows.get(member.user);
    if (!row) {
      row = this.document.getElementById("member-template").content.firstElementChild.cloneNode(true);
      row.dataset.user = member.user;
      row.querySelector(".chat").addEventListener("click", () => this.onChat(member.user));
      row.querySelector(".block").addEventListener("click", () => this.onToggleBlock(member.user));
      this.rows.set(member.user, row);
    }
    const isSelf = member.user === this.self;
    row.dataset.status = member.status;
    row.dataset.name = displayName(member);
    row.querySelector(".name").textContent = `${displayName(member)}${isSelf ? " (you)" : ""}`;
    row.querySelector(".user-id").textContent = member.name ? member.user : "";
    row.querySelector(".status-label").textContent = STATUS_LABELS[member.status];
    row.querySelector(".status-text").textContent = member.text ? `“${member.text}”` : "";
    this.renderChat(row);
    this.renderBlock(row);
    this.renderUnread(row);
  }

  renderBlock(row) {
    const blocked = this.blocked.has(row.dataset.user);
    const button = row.querySelector(".block");
    button.hidden = row.dataset.user === this.self;
    button.textContent = blocked ? "Unblock" : "Block";
    button.setAttribute("aria-label", `${blocked ? "Unblock" : "Block"} ${row.dataset.name}`);
  }

  renderChat(row) {
    const user = row.dataset.user;
    const chatting = this.partner === user;
    const button = row.querySelector(".chat");
    button.hidden = user === this.self;
    button.textContent = chatting ? "End chat" : "Chat";
    button.setAttribute("aria-pressed", String(chatting));
    button.setAttribute("aria-label", `${chatting ? "End chat with" : "Chat with"} ${row.dataset.name}`);
    row.querySelector(".badge").hidden = !this.focusedBy.has(user);
    row.classList.toggle("chatting", chatting);
  }

  renderUnread(row) {
    const count = this.unreadOf(row.dataset.user);
    const unread = row.querySelector(".unread");
    unread.hidden = count === 0;
    unread.textContent = count === 1 ? "1 unread message" : `${count} unread messages`;
    row.dataset.unread = String(count);
  }
}
