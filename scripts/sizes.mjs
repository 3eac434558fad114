#!/usr/bin/env node
// What the worker uploads (`wrangler deploy --dry-run`), by package: npm run sizes [-- --write] [-- --check]
// With --write, the README's block between the `sizes` markers is replaced with the table, so the
// README's figures come from this script, never typed by hand. With --check (CI), it exits 1 when the
// upload is over UPLOAD_BUDGET_KIB.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;

/** The client package's sizes, as scripts/check-client-pack.mjs measures them (its last line, with --json). */
function clientFigures() {
  const run = spawnSync(process.execPath, [join(root, "scripts/check-client-pack.mjs"), "--json"], { cwd: root, encoding: "utf8" });
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  if (!last.startsWith("{")) throw new Error(`check-client-pack gave no figures:\n${run.stdout}${run.stderr}`);
  return JSON.parse(last);
}
/** The most the worker may upload (issue 15); the platform's own limit is far higher. */
const UPLOAD_BUDGET_KIB = 350;
const out = mkdtempSync(join(tmpdir(), "worker-size-"));
try {
  const dry = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out, "--metafile", join(out, "meta.json")], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    encoding: "utf8",
  });
  if (dry.status !== 0) {
    console.error(dry.stdout, dry.stderr);
    process.exit(1);
  }
  const bundle = readFileSync(join(out, "index.js"));
  const meta = JSON.parse(readFileSync(join(out, "meta.json"), "utf8"));
  const byPackage = new Map();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? "this project (src/)";
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
  const rows = [...byPackage].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `| ${name} | ${kib(bytes)} |`);
  const client = clientFigures();
  const table = [
    `Worker upload (\`wrangler deploy --dry-run\`, minified): **${kib(statSync(join(out, "index.js")).size)}** (budget ${UPLOAD_BUDGET_KIB} KiB, checked in CI), ${kib(gzipSync(bundle).length)} gzipped.`,
    "",
    "| package | in the bundle |",
    "| --- | --- |",
    ...rows,
    "",
    `Client package \`@edge-presence/client\` ${client.version} (\`npm run check:client\`, which checks the budgets in CI), minified and gzipped:`,
    "",
    "| entry | min+gzip | budget |",
    "| --- | --- | --- |",
    `| \`@edge-presence/client\` (core) | ${client.core.gzip} B | ${client.core.budget} B |`,
    `| \`@edge-presence/client/react\` (besides the core and React) | ${client.react.gzip} B | ${client.react.budget} B |`,
  ].join("\n");
  console.log(table);
  const uploadKib = statSync(join(out, "index.js")).size / 1024;
  if (process.argv.includes("--check") && uploadKib > UPLOAD_BUDGET_KIB) {
    console.error(`the worker uploads ${uploadKib.toFixed(0)} KiB, over the budget of ${UPLOAD_BUDGET_KIB} KiB`);
    process.exitCode = 1;
  }
  if (process.argv.includes("--write")) {
    const readme = join(root, "README.md");
    const text = readFileSync(readme, "utf8");
    const block = /(<!-- sizes:start -->\n)[\s\S]*?(<!-- sizes:end -->)/;
    if (!block.test(text)) throw new Error("README.md has no <!-- sizes:start --> ... <!-- sizes:end --> block");
    writeFileSync(readme, text.replace(block, `$1${table}\n$2`));
    console.log("README.md updated");
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
