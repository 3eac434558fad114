#!/usr/bin/env node
/**
 * Checks what `npm pack` puts in the @edge-presence/client tarball, after a fresh build:
 * - only dist/ (`.js`, `.js.map`, `.d.ts`), README, LICENSE and package.json: no source, tests,
 *   bench or secrets;
 * - package.json: ESM with `exports` (types first), `files`, `sideEffects: false`, no dependencies
 *   (the SDK needs nothing at run time) and one peer dependency, React, optional: only the `./react`
 *   entry uses it;
 * - the built code and declarations import nothing but each other: no `cloudflare:`, zod or server
 *   code; the `./react` entry (dist/react.js, dist/react/*.d.ts) imports React too, and the core by
 *   the package's own name; nothing else imports React;
 * - the size budgets, minified and gzipped: the core entry with the chunks it imports at most 6 KiB (6,144 B);
 *   the react entry with its own chunks (the core and React excluded) at most 3 KB.
 * Prints the figures (with `--json`, also as a last JSON line); exits 1 on any failure.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const PACKAGE_DIR = fileURLToPath(new URL("../packages/client/", import.meta.url));
const DIST = join(PACKAGE_DIR, "dist");
/** min+gzip of the core entry (`.`), in bytes. */
const CORE_BUDGET = 6 * 1024;
/** min+gzip of what the react entry (`./react`) adds to the core, in bytes. */
const REACT_BUDGET = 3 * 1024;
/** The one peer dependency, imported only by the react entry. */
const PEER = "react";

const problems = [];
const fail = (message) => problems.push(message);

execFileSync(process.execPath, [fileURLToPath(new URL("./build-client.ts", import.meta.url)), "--package"], { stdio: ["ignore", "ignore", "inherit"] });

const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
const packed = JSON.parse(
  execFileSync(npm[0], [...npm[1], "pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PACKAGE_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }),
)[0];
const files = packed.files.map((file) => file.path);

const ALLOWED = [/^package\.json$/, /^README(\.md)?$/i, /^LICEN[CS]E(\.md|\.txt)?$/i, /^dist\/.+\.(js|js\.map|d\.ts)$/];
const FORBIDDEN = [/(^|\/)(test|tests|__tests__|bench|src)\//, /\.test\./, /\.spec\./, /(^|\/)\.(env|dev\.vars)/, /\.(pem|key)$/, /keys\.json$/, /\.tgz$/];
for (const file of files) {
  if (!ALLOWED.some((pattern) => pattern.test(file)) || FORBIDDEN.some((pattern) => pattern.test(file))) fail(`not for the tarball: ${file}`);
}
for (const needed of ["package.json", "README.md", "dist/index.js", "dist/index.js.map", "dist/index.d.ts", "dist/react.js", "dist/react.js.map", "dist/react/index.d.ts"]) {
  if (!files.includes(needed)) fail(`missing from the tarball: ${needed}`);
}

const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
if (manifest.type !== "module") fail('package.json: "type" must be "module"');
if (manifest.sideEffects !== false) fail('package.json: "sideEffects" must be false');
if (!Array.isArray(manifest.files)) fail('package.json: "files" must list what is published');
for (const field of ["dependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies"]) {
  if (manifest[field] && Object.keys(manifest[field]).length > 0) fail(`package.json: no ${field} (the SDK needs nothing at run time): ${Object.keys(manifest[field]).join(", ")}`);
}
const peers = Object.keys(manifest.peerDependencies ?? {});
if (peers.join() !== PEER) fail(`package.json: peerDependencies must be ${PEER} alone, not ${peers.join(", ") || "nothing"}`);
if (manifest.peerDependenciesMeta?.[PEER]?.optional !== true) fail(`package.json: peerDependenciesMeta must make ${PEER} optional (only the ./react entry needs it)`);
const core = manifest.exports?.["."];
const react = manifest.exports?.["./react"];
for (const [entry, target] of [[".", core], ["./react", react]]) if (!target) fail(`package.json: exports["${entry}"] is missing`);
for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
  if (entry === "./package.json") continue;
  if (typeof target !== "object" || Object.keys(target)[0] !== "types" || !target.default) fail(`package.json: exports["${entry}"] must give "types" first, then "default"`);
  for (const path of typeof target === "string" ? [target] : Object.values(target)) {
    if (!files.includes(posix.normalize(path))) fail(`package.json: exports["${entry}"] points at ${path}, which is not in the tarball`);
  }
}

/** Every module specifier a declaration file names: imports, re-exports and `import("…")` types (tsc's output is not minified). */
const specifiers = (text) => [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map((match) => match[1]);
const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
for (const file of files.filter((name) => /\.d\.ts$/.test(name))) {
  const text = readFileSync(join(PACKAGE_DIR, file), "utf8");
  const mayImportPeer = file.startsWith("dist/react/");
  for (const specifier of specifiers(text)) {
    if (specifier.startsWith("./") || specifier.startsWith("../") || (mayImportPeer && specifier === PEER)) continue;
    fail(`${file} imports "${specifier}": the package may import only its own files${mayImportPeer ? ` and ${PEER}` : ""}`);
  }
  if (/cloudflare:|\bzod\b|\bhono\b/.test(withoutComments(text))) fail(`${file} mentions cloudflare:, zod or hono`);
}

/**
 * The JS is minified, so its imports are read by esbuild: it bundles each entry from dist/ and
 * reports every import that leaves the package (there must be none but `allowed`), and which dist
 * files the entry loads (itself and its chunks).
 */
async function loadedFiles(entryFile, allowed = []) {
  const foreign = [];
  const result = await build({
    entryPoints: [join(DIST, entryFile)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    metafile: true,
    logLevel: "silent",
    plugins: [
      {
        name: "foreign-imports",
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (!allowed.includes(args.path)) foreign.push(`${args.importer ? posix.relative(DIST, args.importer) : "?"} imports "${args.path}"`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  for (const line of foreign) fail(`dist/${line}: the package may import only its own files${allowed.length > 0 ? ` and ${allowed.join(", ")}` : ""}`);
  return Object.keys(result.metafile.inputs).map((input) => posix.relative(posix.relative(process.cwd(), DIST), input));
}
for (const file of files.filter((name) => /\.js$/.test(name))) {
  if (/cloudflare:|\bzod\b|\bhono\b/.test(readFileSync(join(PACKAGE_DIR, file), "utf8"))) fail(`${file} mentions cloudflare:, zod or hono`);
}

/** Dist files gzipped one by one (as a browser fetches them): their sizes added up, minified and gzipped. */
const sizes = (loaded) => ({
  raw: loaded.reduce((total, file) => total + readFileSync(join(DIST, file)).length, 0),
  gzip: loaded.reduce((total, file) => total + gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length, 0),
});
const kb = (bytes) => (bytes / 1024).toFixed(2);
const entryFile = (target, fallback) => posix.relative("dist", posix.normalize(target?.default ?? fallback));

const coreFile = entryFile(core, "dist/index.js");
const coreLoaded = await loadedFiles(coreFile);
const coreSize = sizes(coreLoaded);
console.log(`@edge-presence/client ${manifest.version}: ${files.length} files, tarball ${packed.size} B (unpacked ${packed.unpackedSize} B)`);
console.log(`core entry (${coreLoaded.join(" + ")}): ${coreSize.raw} B minified, ${coreSize.gzip} B min+gzip (${kb(coreSize.gzip)} KB of the ${CORE_BUDGET / 1024} KB budget, ${((coreSize.gzip / CORE_BUDGET) * 100).toFixed(0)}%)`);
if (coreSize.gzip > CORE_BUDGET) fail(`core entry is ${coreSize.gzip} B min+gzip, over the ${CORE_BUDGET} B budget`);

const reactFile = entryFile(react, "dist/react.js");
// The core comes in by the package's name, so these are the react entry's own files.
const reactSize = sizes(await loadedFiles(reactFile, [PEER, manifest.name]));
console.log(`react entry (${reactFile}): ${reactSize.raw} B minified, ${reactSize.gzip} B min+gzip besides the core and React (${kb(reactSize.gzip)} KB of the ${REACT_BUDGET / 1024} KB budget, ${((reactSize.gzip / REACT_BUDGET) * 100).toFixed(0)}%)`);
if (reactSize.gzip > REACT_BUDGET) fail(`react entry is ${reactSize.gzip} B min+gzip besides the core and React, over the ${REACT_BUDGET} B budget`);

// For scripts/sizes.mjs, which puts these figures in the README: one JSON line, last.
const figures = { version: manifest.version, tarball: packed.size, core: { ...coreSize, budget: CORE_BUDGET }, react: { ...reactSize, budget: REACT_BUDGET } };
if (problems.length > 0) {
  for (const problem of problems) console.error(`✗ ${problem}`);
  if (process.argv.includes("--json")) console.log(JSON.stringify(figures));
  process.exit(1);
}
console.log("client package contents OK");
if (process.argv.includes("--json")) console.log(JSON.stringify(figures));
