#!/usr/bin/env node
// Prints a token signed with the local dev secret: npm run token -- <user> [--org O] [--zone Z] [--name N] [--ttl 3600]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { org: { type: "string" }, zone: { type: "string" }, name: { type: "string" }, ttl: { type: "string", default: "3600" } },
});
const [sub] = positionals;
const ttl = Number(values.ttl);
if (!sub || !/^[A-Za-z0-9._:@-]{1,128}$/.test(sub) || !Number.isInteger(ttl) || ttl <= 0) {
  console.error("usage: npm run token -- <user> [--org O] [--zone Z] [--name N] [--ttl seconds]");
  process.exit(2);
}
const secret =
  process.env.JWT_SECRET ?? readFileSync(new URL("../.dev.vars", import.meta.url), "utf8").match(/^JWT_SECRET=(.*)$/m)?.[1]?.trim();
if (!secret) {
  console.error("no JWT_SECRET in the environment or in .dev.vars");
  process.exit(2);
}
const claims = { sub, exp: Math.floor(Date.now() / 1000) + ttl };
for (const key of ["org", "zone", "name"]) if (values[key]) claims[key] = values[key];
console.log(await sign(claims, secret, "HS256"));
