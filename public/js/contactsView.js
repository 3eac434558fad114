import { presenceLabel } from "./labels.js";

/**
 * The Contacts card: each contact with the live dot their subscription drives, Block and Remove
 * buttons, and the list of blocked users with Unblock. Rows are updated in place; when the row
 * holding the keyboard focus goes, the focus moves to the add-contact field.
 */
export class ContactsView {
  constructor(document, { onRemove, onToggleBlock }) {
    this.document = document;
    this.onRemove = onRemove;
    this.onToggleBlock = onToggleBlock;
    this.list = document.getElementById("contact-list");
    this.blockedList = document.getElementById("blocked-list");
    this.input = document.getElementById("contact-input");
    this.contactRows = new Map();
    this.blockedRows = new Map();
    this.list.replaceChildren();
    this.blockedList.replaceChildren();
    this.showError(null);
  }

  /** `viewOf(user)`: the contact's presence as the user may see it, undefined before the service said. */
  render({ contacts, blocks, viewOf, follows, nameOf }) {
    const byName = (a, b) => nameOf(a).localeCompare(nameOf(b)) || a.localeCompare(b);
    this.sync(this.list, this.contactRows, [...contacts].sort(byName), "contact-template", (row, user) =>
      this.renderContact(row, user, { view: viewOf(user), blocked: blocks.has(user), follows: follows(user), name: nameOf(user) }),
    );
    this.sync(this.blockedList, this.blockedRows, [...blocks].sort(byName), "blocked-template", (row, user) => this.renderBlocked(row, user, nameOf(user)));
    this.document.getElementById("contacts-none").hidden = contacts.size > 0;
    this.document.getElementById("blocked-none").hidden = blocks.size > 0;
  }

  showError(error) {
    const alert = this.document.getElementById("contacts-error");
    alert.hidden = error === null;
    alert.textContent = error === null ? "" : `${error.message}${error.code ? ` (${error.code})` : ""}`;
  }

  /** Makes `list` hold one row per user, in order, creating and dropping rows as needed. */
  sync(list, rows, users, template, renderRow) {
    const wanted = new Set(users);
    for (const [user, row] of rows) {
      if (wanted.has(user)) continue;
      if (row.contains(this.document.activeElement)) this.input.focus();
      row.remove();
      rows.delete(user);
    }
    for (const user of users) {
      let row = rows.get(user);
      if (!row) {
        row = this.document.getElementById(template).content.firstElementChild.cloneNode(true);
        row.dataset.user = user;
        this.wire(row, user);
        rows.set(user, row);
      }
      renderRow(row, user);
    }
    if (users.some((user, index) => list.children[index] !== rows.get(user))) list.append(...users.map((user) => rows.get(user)));
  }

  wire(row, user) {
    row.querySelector(".remove")?.addEventListener("click", () => this.onRemove(user));
    row.querySelector(".block")?.addEventListener("click", () => this.onToggleBlock(user));
    row.querySelector(".unblock")?.addEventListener("click", () => this.onToggleBlock(user));
  }

  renderContact(row, user, { view, blocked, follows, name }) {
    row.dataset.status = view?.status ?? "unknown";
    row.dataset.name = name;
    row.querySelector(".name").textContent = name;
    row.querySelector(".user-id").textContent = name === user ? "" : user;
    row.querySelector(".status-label").textContent = view ? presenceLabel(view) : follows ? "Checking…" : "Not followed (500 at most)";
    row.querySelector(".status-text").textContent = view?.text ? `“${view.text}”` : "";
    row.querySelector(".badge").hidden = !blocked;
    const block = row.querySelector(".block");
    block.textContent = blocked ? "Unblock" : "Block";
    block.setAttribute("aria-label", `${blocked ? "Unblock" : "Block"} ${name}`);
    row.querySelector(".remove").setAttribute("aria-label", `Remove ${name} from contacts`);
  }

  renderBlocked(row, user, name) {
    row.querySelector(".name").textContent = name;
    row.querySelector(".user-id").textContent = name === user ? "" : user;
    row.querySelector(".unblock").setAttribute("aria-label", `Unblock ${name}`);
  }
}
