import type { FanoutResult } from "../scenarios/results.ts";

/**
 * bench/results/fanout.svg: delivery latency percentiles (p50, p95, p99) against the number of
 * watchers, the service in solid lines and the bare-ws floor dashed. Both axes are logarithmic,
 * so a ratio between the two reads as a constant gap.
 */

const WIDTH = 760;
const HEIGHT = 440;
const PLOT = { left: 70, right: 190, top: 50, bottom: 60 };
const SERIES = [
  { key: "p50", color: "#1f77b4" },
  { key: "p95", color: "#ff7f0e" },
  { key: "p99", color: "#d62728" },
] as const;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function decadeTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent++) {
    for (const mantissa of [1, 2, 5]) {
      const value = mantissa * 10 ** exponent;
      if (value >= min && value <= max) ticks.push(value);
    }
  }
  return ticks;
}

/** The nearest 1, 2 or 5 × 10^k below (or above) `value`, so the axis hugs the data. */
function niceBound(value: number, direction: "down" | "up"): number {
  const exponent = Math.floor(Math.log10(value));
  const steps = [1, 2, 5, 10].map((mantissa) => mantissa * 10 ** exponent);
  return direction === "down" ? ([...steps].reverse().find((step) => step <= value) ?? steps[0]!) : (steps.find((step) => step >= value) ?? steps[3]!);
}

function label(value: number): string {
  return value >= 1000 ? `${value / 1000}k` : value >= 1 ? String(value) : value.toPrecision(1);
}

export function renderFanoutChart(results: FanoutResult[], subtitle: string): string {
  const points = results.flatMap((result) =>
    SERIES.flatMap(({ key }) => [result.service.delivery[key], result.baseline?.delivery[key] ?? Number.NaN]),
  );
  const values = points.filter((value) => Number.isFinite(value) && value > 0);
  const sizes = results.map((result) => result.size.watchers);
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">Fan-out latency: status frame sent → diff received</text>`,
    `<text x="${PLOT.left}" y="38" fill="#555">${escape(subtitle)}</text>`,
  ];
  if (values.length === 0 || sizes.length === 0) {
    parts.push(`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no fan-out results</text>`, "</svg>");
    return parts.join("\n");
  }
  const yMin = niceBound(Math.min(...values), "down");
  const yMax = niceBound(Math.max(...values), "up");
  const xMin = Math.min(...sizes);
  const xMax = Math.max(...sizes);
  const x = (n: number) =>
    xMin === xMax ? PLOT.left + plotWidth / 2 : PLOT.left + ((Math.log10(n) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotWidth;
  const y = (ms: number) => PLOT.top + plotHeight - ((Math.log10(ms) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotHeight;

  // Grid and axes.
  for (const tick of decadeTicks(yMin, yMax)) {
    parts.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + plotWidth}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${PLOT.left - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${label(tick)}</text>`,
    );
  }
  for (const n of sizes) {
    parts.push(
      `<line x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${PLOT.top}" y2="${PLOT.top + plotHeight}" stroke="#e5e5e5"/>`,
      `<text x="${x(n).toFixed(1)}" y="${PLOT.top + plotHeight + 18}" text-anchor="middle">${n.toLocaleString("en-US")}</text>`,
    );
  }
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${PLOT.left + plotWidth / 2}" y="${HEIGHT - 18}" text-anchor="middle">watchers on one scope (log scale)</text>`,
    `<text transform="translate(18 ${PLOT.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`,
  );

  // Lines: service solid, floor dashed.
  for (const { key, color } of SERIES) {
    for (const target of ["service", "baseline"] as const) {
      const coords = results
        .map((result) => ({ n: result.size.watchers, value: (target === "service" ? result.service : result.baseline)?.delivery[key] ?? Number.NaN }))
        .filter((point) => Number.isFinite(point.value) && point.value > 0)
        .map((point) => [x(point.n), y(point.value)] as const);
      if (coords.length === 0) continue;
      const dash = target === "baseline" ? ' stroke-dasharray="6 4"' : "";
      if (coords.length > 1) {
        parts.push(
          `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${coords.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")}"/>`,
        );
      }
      for (const [px, py] of coords) {
        parts.push(
          target === "service"
            ? `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="${color}"/>`
            : `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="white" stroke="${color}" stroke-width="1.5"/>`,
        );
      }
    }
  }

  // Legend.
  const legendX = PLOT.left + plotWidth + 20;
  let legendY = PLOT.top + 10;
  for (const target of ["service", "baseline"] as const) {
    parts.push(`<text x="${legendX}" y="${legendY}" font-weight="bold">${target === "service" ? "service" : "bare ws floor"}</text>`);
    legendY += 18;
    for (const { key, color } of SERIES) {
      const dash = target === "baseline" ? ' stroke-dasharray="6 4"' : "";
      const marker =
        target === "service"
          ? `<circle cx="${legendX + 14}" cy="${legendY - 4}" r="3.5" fill="${color}"/>`
          : `<circle cx="${legendX + 14}" cy="${legendY - 4}" r="3.5" fill="white" stroke="${color}" stroke-width="1.5"/>`;
      parts.push(
        `<line x1="${legendX}" x2="${legendX + 28}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
        marker,
        `<text x="${legendX + 36}" y="${legendY}">${key}</text>`,
      );
      legendY += 18;
    }
    legendY += 10;
  }
  parts.push("</svg>");
  return parts.join("\n");
}
