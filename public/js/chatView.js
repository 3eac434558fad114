import { textOf } from "./conversations.js";

/** How an outgoing message's progress reads. */
const STATE_LABELS = { sending: "Sending…", sent: "✓ Sent, waiting to be delivered", delivered: "✓ Delivered", read: "✓✓ Read", failed: "Not sent" };

/**
 * The conversation panel: the messages exchanged with one person during this visit, how far each of
 * the user's own got, whether the person is typing, and a field that sends on Enter. The log is a
 * live region, so a screen reader reads each new message; all text goes in as textContent.
 */
export class ChatView {
  constructor(document, { onSend, onTyping, onClose }) {
    this.document = document;
    const $ = (id) => document.getElementById(id);
    this.root = $("chat");
    this.title = $("chat-title");
    this.log = $("chat-log");
    this.empty = $("chat-empty");
    this.typingLine = $("chat-typing");
    this.form = $("chat-form");
    this.input = $("chat-input");
    this.label = $("chat-label");
    this.rows = new Map();
    this.user = null;
    this.name = "";
    this.typingTimer = null;
    this.form.onsubmit = (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      onSend(text);
    };
    this.input.oninput = () => {
      if (this.input.value.trim()) onTyping();
    };
    $("chat-close").onclick = () => onClose();
    this.close();
  }

  /** Shows the conversation with `user`, and puts the keyboard in its field. */
  open(user, name, entries, typingUntil) {
    this.user = user;
    this.name = name;
    this.root.hidden = false;
    this.root.dataset.user = user;
    this.title.textContent = `Chat with ${name}`;
    this.label.textContent = `Message to ${name}`;
    this.log.setAttribute("aria-label", `Messages with ${name}`);
    this.rows.clear();
    this.log.replaceChildren(...entries.map((entry) => this.row(entry)));
    this.empty.hidden = entries.length > 0;
    this.showTyping(typingUntil);
    this.input.value = "";
    this.input.focus();
  }

  close() {
    this.user = null;
    this.root.hidden = true;
    delete this.root.dataset.user;
    this.rows.clear();
    this.log.replaceChildren();
    this.showTyping(null);
  }

  /** Whether the panel shows the conversation with `user`. */
  shows(user) {
    return this.user !== null && this.user === user;
  }

  append(entry) {
    this.log.append(this.row(entry));
    this.empty.hidden = true;
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Shows an entry's new state (an outgoing message sent, delivered, read or failed). */
  update(entry) {
    const row = this.rows.get(entry.key);
    if (row) this.render(row, entry);
  }

  /** "Alice is typing…" until `until` (epoch ms), or nothing for null. */
  showTyping(until) {
    clearTimeout(this.typingTimer);
    this.typingTimer = null;
    const left = until === null ? 0 : until - Date.now();
    this.typingLine.hidden = left <= 0;
    this.typingLine.textContent = left > 0 ? `${this.name} is typing…` : "";
    if (left > 0) this.typingTimer = setTimeout(() => this.showTyping(null), left);
  }

  row(entry) {
    const row = this.document.getElementById("chat-message-template").content.firstElementChild.cloneNode(true);
    row.dataset.direction = entry.direction;
    row.querySelector(".message-who").textContent = entry.direction === "out" ? "You" : this.name;
    row.querySelector(".message-text").textContent = textOf(entry.body);
    this.rows.set(entry.key, row);
    this.render(row, entry);
    return row;
  }

  render(row, entry) {
    if (entry.id !== null) row.dataset.id = entry.id;
    if (entry.direction === "in") return;
    row.dataset.state = entry.state;
    const error = entry.state === "failed" ? `: ${entry.error?.message ?? "no answer"}${entry.error?.code ? ` (${entry.error.code})` : ""}` : "";
    row.querySelector(".message-state").textContent = `${STATE_LABELS[entry.state]}${error}`;
  }
}
