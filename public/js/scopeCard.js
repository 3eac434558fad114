import { HistoryChart } from "./historyChart.js";
import { scopeTitle } from "./labels.js";

/** A scope's card from its template: tagged with the scope, titled, labelled by its title, with its chart of the last 24 hours under the title. */
export function scopeCard(document, templateId, scope) {
  const root = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  root.dataset.scope = scope;
  const titleId = `scope-${scope.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const title = root.querySelector(".scope-title");
  title.id = titleId;
  title.textContent = scopeTitle(scope);
  root.setAttribute("aria-labelledby", titleId);
  const history = new HistoryChart(document, scope);
  root.querySelector(".card-head").after(history.root);
  return { root, history };
}
