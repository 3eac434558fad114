import { build } from "esbuild";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/**
 * The dashboard cannot import TypeScript, so it loads the SDK bundled into one ES module. The bundle is
 * generated from src/client (the one source of truth) and checked in, since the page has no build step.
 * Rebuild it with `npm run build:client`; the end-to-end tests fail while it is stale.
 */
export const BUNDLE_PATH = fileURLToPath(new URL("../public/sdk/presence-client.js", import.meta.url));
const ENTRY = fileURLToPath(new URL("../src/client/index.ts", import.meta.url));
const BANNER = "// Generated from src/client by esbuild: do not edit. Rebuild with `npm run build:client`.";

export async function buildSdkBundle(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    target: "es2022",
    write: false,
    banner: { js: BANNER },
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  return output.text;
}

export async function checkedInBundle(): Promise<string> {
  return readFile(BUNDLE_PATH, "utf8");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(BUNDLE_PATH, await buildSdkBundle());
  console.log(`wrote ${BUNDLE_PATH}`);
}
