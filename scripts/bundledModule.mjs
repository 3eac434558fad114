import { build } from "esbuild";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Loads a module of the worker's source (`entry`, relative to the repo) in Node: esbuild bundles it
 * with what it imports (nothing from `cloudflare:*` may be among it), and Node imports the result.
 * The document scripts use it to get what the worker serves without running a server.
 */
export async function bundledModule(entry) {
  const result = await build({
    entryPoints: [resolve(ROOT, entry)],
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
  return import(`data:text/javascript;base64,${Buffer.from(output.text).toString("base64")}`);
}
