import { scopeTitle } from "./labels.js";

const SVG = "http://www.w3.org/2000/svg";
/** The drawing's own units; the page stretches it to the card's width. */
const WIDTH = 288;
const HEIGHT = 48;
/** Stacked from the bottom up. */
const BANDS = ["online", "away", "busy"];

/**
 * A scope's members by status over the last 24 hours, as a small stacked area chart drawn by hand in
 * SVG: each step a flat block as high as the most members of each status in any minute of it. Its
 * label and its data attributes (what the end-to-end tests read) hold the latest step's figures.
 */
export class HistoryChart {
  constructor(document, scope) {
    this.title = scopeTitle(scope);
    this.root = document.createElement("div");
    this.root.className = "history";
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.svg.setAttribute("role", "img");
    this.svg.dataset.historyScope = scope;
    this.label = document.createElementNS(SVG, "title");
    this.bands = BANDS.map((status) => {
      const band = document.createElementNS(SVG, "path");
      band.setAttribute("class", status);
      return band;
    });
    this.svg.append(this.label, ...this.bands);
    this.scale = document.createElement("span");
    const legend = document.createElement("p");
    legend.className = "history-legend";
    // The chart's label says what the legend shows.
    legend.setAttribute("aria-hidden", "true");
    legend.append(this.scale, ...BANDS.map((status) => key(document, status)));
    this.root.append(this.svg, legend);
    this.describe("loading", "loading…", "Last 24 h");
  }

  /** Draws a `/history` answer, oldest point first. */
  show({ step, points }) {
    const latest = points.at(-1);
    if (!latest) return this.describe("shown", "no history yet", "Last 24 h");
    const top = Math.max(1, ...points.map((point) => point.online + point.away + point.busy));
    const mostOnline = Math.max(...points.map((point) => point.online));
    const x = (index) => round((index * WIDTH) / points.length);
    const y = (count) => round(HEIGHT - (count * HEIGHT) / top);
    let below = points.map(() => 0);
    BANDS.forEach((status, index) => {
      const above = points.map((point, at) => below[at] + point[status]);
      this.bands[index].setAttribute("d", bandPath(below, above, x, y));
      below = above;
    });
    Object.assign(this.svg.dataset, { online: latest.online, away: latest.away, busy: latest.busy, points: points.length });
    this.describe(
      "shown",
      `latest ${step / 60} minutes: ${latest.online} online, ${latest.away} away, ${latest.busy} busy; most online: ${mostOnline}`,
      `Last 24 h · scale 0–${top}`,
    );
  }

  failed(error) {
    this.describe("failed", `history unavailable (${error.code ?? error.message})`, "Last 24 h: unavailable");
  }

  describe(state, summary, scale) {
    const label = `${this.title}, last 24 hours: ${summary}`;
    this.svg.dataset.state = state;
    this.svg.setAttribute("aria-label", label);
    this.label.textContent = label;
    this.scale.textContent = scale;
  }
}

/** The area between two step lines: along the top from the oldest step, back along the bottom. */
function bandPath(below, above, x, y) {
  const steps = (counts) => counts.flatMap((count, index) => [`${x(index)},${y(count)}`, `${x(index + 1)},${y(count)}`]);
  return `M${steps(above).join("L")}L${steps(below).reverse().join("L")}Z`;
}

function key(document, status) {
  const item = document.createElement("span");
  item.className = `key ${status}`;
  item.textContent = status;
  return item;
}

function round(value) {
  return Math.round(value * 100) / 100;
}
