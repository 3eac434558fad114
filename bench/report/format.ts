/** Number formats and Markdown tables shared by the bench's reports. */
import type { WakeCounts } from "../server/wakes.ts";

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Dollars: whole above $100, cents above $1, two significant digits below. */
export function dollars(value: number): string {
  return value >= 100 ? `$${num(value)}` : value >= 1 ? `$${num(value, 2)}` : `$${value.toPrecision(2)}`;
}

export function times(value: number | null): string {
  return value === null ? "–" : `${value.toFixed(value >= 10 ? 0 : 1)}×`;
}

export function wakes(counts: WakeCounts | null): string {
  if (!counts || Object.keys(counts).length === 0) return "none";
  return Object.entries(counts)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
}

export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)];
}
