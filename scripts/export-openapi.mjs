import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledModule } from "./bundledModule.mjs";

/**
 * Writes the OpenAPI document to a file, without a running server: src/http/openapiDocument.ts is
 * bundled by esbuild (nothing it imports is from `cloudflare:*`), loaded in Node and asked for it.
 *
 *   node scripts/export-openapi.mjs [out]      (default: test-results/openapi.json)
 *
 * `npm run lint:api` runs this and then `redocly lint` on the file; scripts/api-docs.mjs writes the
 * copy the worker serves.
 */
export async function openApiDocument() {
  return (await bundledModule("src/http/openapiDocument.ts")).openApiDocument();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.cwd(), process.argv[2] ?? "test-results/openapi.json");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
