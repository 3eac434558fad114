import { scopeCard } from "./scopeCard.js";
import { showCounts } from "./counts.js";

/** A scope the user may only count (`global` while GLOBAL_VISIBILITY is `counts`): its card shows numbers and their chart, never people. */
export class CountView {
  constructor(document, container, scope) {
    const card = scopeCard(document, "count-template", scope);
    this.root = card.root;
    /** The card's chart of the last 24 hours, which the app keeps fed with the scope's history. */
    this.history = card.history;
    this.root.setAttribute("aria-busy", "true");
    this.counts = this.root.querySelector(".counts");
    this.counts.textContent = "Counting…";
    container.append(this.root);
  }

  render(counts) {
    this.root.setAttribute("aria-busy", "false");
    showCounts(this.counts, counts);
  }

  failed(error) {
    this.root.setAttribute("aria-busy", "true");
    this.counts.textContent = `Counts unavailable (${error.code ?? error.message})`;
  }
}
