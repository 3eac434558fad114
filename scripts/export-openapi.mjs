import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledModule } from "./bundledModule.mjs";

/**
 * Writes the OpenAPI document the worker serves at `/v1/openapi.json` to a file, without a running
 * server: src/http/app.ts is bundled by esbuild (it imports nothing from `cloudflare:*`), loaded in
 * Node, and asked for the same document `app.doc31` serves (`createApp()` plus `OPENAPI_DOCUMENT`).
 *
 *   node scripts/export-openapi.mjs [out]      (default: test-results/openapi.json)
 *
 * `npm run lint:api` runs this and then `redocly lint` on the file.
 */
export async function openApiDocument() {
  const { createApp, OPENAPI_DOCUMENT } = await bundledModule("src/http/app.ts");
  return createApp().getOpenAPI31Document(OPENAPI_DOCUMENT);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.cwd(), process.argv[2] ?? "test-results/openapi.json");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
