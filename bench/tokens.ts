import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sign } from "hono/jwt";
import { repoRoot } from "./paths.ts";

/** The local secrets `wrangler dev` gives the worker: `KEY=value` lines of `<dir>/.dev.vars` (quotes stripped). */
export function devVars(dir = repoRoot): Record<string, string> {
  const lines = readFileSync(join(dir, ".dev.vars"), "utf8").matchAll(/^\s*([A-Za-z_]\w*)\s*=\s*(.*?)\s*$/gm);
  return Object.fromEntries([...lines].map(([, key, value]) => [key, (value as string).replace(/^(["'])(.*)\1$/, "$2")]));
}

/** The local signing secret, as scripts/token.mjs finds it: $JWT_SECRET, else .dev.vars. */
export function localSecret(): string {
  const secret = process.env.JWT_SECRET ?? devVars().JWT_SECRET;
  if (!secret) throw new Error("no JWT_SECRET in the environment or in .dev.vars");
  return secret;
}

export interface Claims {
  sub: string;
  org?: string;
  zone?: string;
  name?: string;
}

/** An HS256 token valid for `ttlSeconds` (default 2 h, longer than any bench run). */
export function token(secret: string, claims: Claims, ttlSeconds = 7200): Promise<string> {
  return sign({ ...claims, exp: Math.floor(Date.now() / 1000) + ttlSeconds }, secret, "HS256");
}
