/**
 * The rate-limit bindings of wrangler.toml (`[[ratelimits]]`, `simple = { limit, period }`), and the
 * limits a scenario runs with instead. A figure such as messages per second from one sender would
 * otherwise measure the limit, not the service; the scenario lifts it on its own server only and its
 * result says what the limit is in production. wrangler.toml itself is never changed.
 */
import { parseToml } from "./toml.ts";

export interface RateLimit {
  limit: number;
  /** Seconds. */
  period: number;
}

/** By binding name. */
export type RateLimits = Record<string, RateLimit>;

/** The `[[ratelimits]]` tables of a wrangler.toml's text. */
export function declaredRateLimits(toml: string): RateLimits {
  const limits: RateLimits = {};
  for (const table of parseToml(toml).filter((t) => t.name === "ratelimits")) {
    const simple = table.keys.simple;
    if (typeof table.keys.name !== "string" || typeof simple !== "object" || Array.isArray(simple)) continue;
    limits[table.keys.name] = { limit: simple.limit ?? 0, period: simple.period ?? 0 };
  }
  return limits;
}

/** The declared limits with `overrides` in place; an override of a binding wrangler.toml lacks (renamed?) stops the run. */
export function effectiveRateLimits(declared: RateLimits, overrides: RateLimits = {}): RateLimits {
  const unknown = Object.keys(overrides).filter((name) => !(name in declared));
  if (unknown.length > 0) throw new Error(`rate limits ${unknown.join(", ")}: no such [[ratelimits]] binding in wrangler.toml`);
  return { ...declared, ...overrides };
}

/** wrangler.toml's text with the `simple = {...}` line of each overridden `[[ratelimits]]` table replaced (for `wrangler dev --config`). */
export function withRateLimits(toml: string, overrides: RateLimits): string {
  effectiveRateLimits(declaredRateLimits(toml), overrides);
  const lines = toml.split("\n");
  let table = "";
  let start = 0;
  const rewrite = (end: number) => {
    if (table !== "ratelimits") return;
    const block = lines.slice(start, end);
    const name = block.map((line) => line.match(/^\s*name\s*=\s*"([^"]*)"/)?.[1]).find((found) => found !== undefined);
    const override = name === undefined ? undefined : overrides[name];
    if (!override) return;
    for (let index = start; index < end; index++) {
      if (/^\s*simple\s*=/.test(lines[index] as string)) lines[index] = `simple = { limit = ${override.limit}, period = ${override.period} }`;
    }
  };
  lines.forEach((line, index) => {
    const header = line.match(/^\s*\[\[?\s*([\w.-]+)\s*\]\]?/);
    if (!header) return;
    rewrite(index);
    table = header[1] as string;
    start = index;
  });
  rewrite(lines.length);
  return lines.join("\n");
}
