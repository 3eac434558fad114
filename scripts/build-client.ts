import { build, type BuildOptions, type Plugin } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Builds the client SDK, whose one source is packages/client/src:
 * - the package `@edge-presence/client` (packages/client/dist, not checked in): minified ES modules
 *   with source maps (esbuild) and `.d.ts` files (`tsc --emitDeclarationOnly`);
 * - the dashboard's copy, public/sdk/presence-client.js: the page has no build step, so it loads the
 *   SDK as one readable ES module, checked in. `--check` (CI) and the end-to-end tests fail while it
 *   differs from a fresh build.
 *
 * `node scripts/build-client.ts` builds both; `--package` only the package; `--check` builds nothing
 * and exits 1 when the dashboard's copy is stale.
 */
export const PACKAGE_DIR = fileURLToPath(new URL("../packages/client/", import.meta.url));
export const DIST_DIR = join(PACKAGE_DIR, "dist");
export const BUNDLE_PATH = fileURLToPath(new URL("../public/sdk/presence-client.js", import.meta.url));
/**
 * The package's entry points, by output name, each also under `exports` in packages/client/package.json;
 * code shared by entries lands in chunks. `react` (`@edge-presence/client/react`) imports React, a peer
 * dependency, and the core by the package's name (see `coreByName`); the core entry imports nothing.
 */
export const ENTRIES: Record<string, string> = { index: join(PACKAGE_DIR, "src/index.ts"), react: join(PACKAGE_DIR, "src/react/index.ts") };
const PACKAGE_NAME = "@edge-presence/client";
const PEER_DEPENDENCIES = ["react"];
const BANNER = "// Generated from packages/client/src by esbuild: do not edit. Rebuild with `npm run build:client`.";

const common: BuildOptions = {
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "neutral",
  logLevel: "silent",
};

export async function buildSdkBundle(): Promise<string> {
  const result = await build({ ...common, entryPoints: [ENTRIES.index!], write: false, banner: { js: BANNER } });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  return output.text;
}

export async function checkedInBundle(): Promise<string> {
  return readFile(BUNDLE_PATH, "utf8");
}

/**
 * Another entry's import of the core's index (`../index.js`) becomes an import of the package's own
 * name: a page then loads one copy of the core (one `PresenceClient` class for both entries), and the
 * core stays one file, not an index over a chunk shared with the other entries.
 */
const coreByName: Plugin = {
  name: "core-by-package-name",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/(.+\/)?index\.js$/ }, (args) =>
      join(args.resolveDir, args.path.replace(/\.js$/, ".ts")) === ENTRIES.index ? { path: PACKAGE_NAME, external: true } : undefined,
    );
  },
};

/** packages/client/dist afresh: `<entry>.js` (+ `.js.map`) minified, and a `.d.ts` per source module. */
export async function buildPackage(): Promise<void> {
  await rm(DIST_DIR, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: ENTRIES,
    external: PEER_DEPENDENCIES,
    plugins: [coreByName],
    outdir: DIST_DIR,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    minify: true,
    sourcemap: "linked",
    sourcesContent: true,
    legalComments: "none",
  });
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(PACKAGE_DIR, "tsconfig.json")], { stdio: "inherit" });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes("--check")) {
    if ((await buildSdkBundle()) !== (await checkedInBundle())) {
      console.error(`${BUNDLE_PATH} differs from a fresh build of packages/client/src: run \`npm run build:client\``);
      process.exit(1);
    }
    console.log(`${BUNDLE_PATH} is fresh`);
  } else {
    await buildPackage();
    console.log(`built ${DIST_DIR}`);
    if (!args.includes("--package")) {
      await writeFile(BUNDLE_PATH, await buildSdkBundle());
      console.log(`wrote ${BUNDLE_PATH}`);
    }
  }
}
