import { Parser, DiagnosticSeverity } from "@asyncapi/parser";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledModule } from "./bundledModule.mjs";

/**
 * Checks the AsyncAPI document served at `/v1/asyncapi.json` with the AsyncAPI parser (@asyncapi/parser:
 * the schema of AsyncAPI 3 and its recommended rules), and fails on any error. Without a server:
 * src/protocol/asyncapi.ts is bundled by esbuild, loaded in Node and asked for the same document
 * scripts/api-docs.mjs writes for the assets. With `--url`, the document is fetched from a running
 * service instead.
 *
 *   node scripts/check-asyncapi.mjs [out] [--url http://localhost:8787/v1/asyncapi.json] [--strict]
 *
 * `out` (default: test-results/asyncapi.json) is where the checked document is written. `--strict`
 * fails on warnings too. `npm run lint:asyncapi` runs this.
 */
export async function asyncApiDocument() {
  return (await bundledModule("src/protocol/asyncapi.ts")).asyncApiDocument();
}

async function fetched(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

const SEVERITY = { [DiagnosticSeverity.Error]: "error", [DiagnosticSeverity.Warning]: "warning", [DiagnosticSeverity.Information]: "info", [DiagnosticSeverity.Hint]: "hint" };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const urlAt = args.indexOf("--url");
  const url = urlAt >= 0 ? args[urlAt + 1] : undefined;
  const strict = args.includes("--strict");
  const positional = args.filter((arg, index) => !arg.startsWith("--") && (urlAt < 0 || index !== urlAt + 1));
  const out = resolve(process.cwd(), positional[0] ?? "test-results/asyncapi.json");

  const document = url ? await fetched(url) : await asyncApiDocument();
  const text = `${JSON.stringify(document, null, 2)}\n`;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);

  const { document: parsed, diagnostics } = await new Parser().parse(text, { source: out });
  for (const diagnostic of diagnostics) {
    const where = diagnostic.path.length > 0 ? diagnostic.path.join(".") : "(document)";
    console.log(`${SEVERITY[diagnostic.severity] ?? diagnostic.severity}  ${diagnostic.code}  ${where}  ${diagnostic.message}`);
  }
  const count = (severity) => diagnostics.filter((diagnostic) => diagnostic.severity === severity).length;
  const errors = count(DiagnosticSeverity.Error);
  const warnings = count(DiagnosticSeverity.Warning);
  if (parsed) {
    console.log(
      `${out}: AsyncAPI ${parsed.version()}, ${parsed.channels().length} channels, ${parsed.operations().length} operations, ${parsed.components().messages().length} messages; ${errors} errors, ${warnings} warnings`,
    );
  }
  if (!parsed || errors > 0 || (strict && warnings > 0)) {
    console.error(`AsyncAPI check failed: ${parsed ? "" : "the document did not parse; "}${errors} errors, ${warnings} warnings${strict ? " (--strict)" : ""}`);
    process.exit(1);
  }
}
