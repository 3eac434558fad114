import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Writes the OpenAPI document the worker serves at `/v1/openapi.json` to a file, without a running
 * server: src/http/app.ts is bundled by esbuild (it imports nothing from `cloudflare:*`), loaded in
 * Node, and asked for the same document `app.doc31` serves (`createApp()` plus `OPENAPI_DOCUMENT`).
 *
 *   node scripts/export-openapi.mjs [out]      (default: test-results/openapi.json)
 *
 * `npm run lint:api` runs this and then `redocly lint` on the file.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ENTRY = resolve(ROOT, "src/http/app.ts");

export async function openApiDocument() {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  const { createApp, OPENAPI_DOCUMENT } = await import(`data:text/javascript;base64,${Buffer.from(output.text).toString("base64")}`);
  return createApp().getOpenAPI31Document(OPENAPI_DOCUMENT);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.cwd(), process.argv[2] ?? "test-results/openapi.json");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
