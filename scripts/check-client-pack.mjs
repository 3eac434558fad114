#!/usr/bin/env node
/**
 * Checks what `npm pack` puts in the @edge-presence/client tarball, after a fresh build:
 * - only dist/ (`.js`, `.js.map`, `.d.ts`), README, LICENSE and package.json: no source, tests,
 *   bench or secrets;
 * - package.json: ESM with `exports` (types first), `files`, `sideEffects: false`, and no dependencies
 *   at all (the SDK needs nothing at run time);
 * - the built code and declarations import nothing but each other: no `cloudflare:`, zod or server code;
 * - the size budget: the core entry with the chunks it imports, minified and gzipped, at most 6 KB.
 * Prints the figures; exits 1 on any failure.
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
for (const needed of ["package.json", "README.md", "dist/index.js", "dist/index.js.map", "dist/index.d.ts"]) {
  if (!files.includes(needed)) fail(`missing from the tarball: ${needed}`);
}

const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
if (manifest.type !== "module") fail('package.json: "type" must be "module"');
if (manifest.sideEffects !== false) fail('package.json: "sideEffects" must be false');
if (!Array.isArray(manifest.files)) fail('package.json: "files" must list what is published');
for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies"]) {
  if (manifest[field] && Object.keys(manifest[field]).length > 0) fail(`package.json: no ${field} (the SDK needs nothing at run time): ${Object.keys(manifest[field]).join(", ")}`);
}
const core = manifest.exports?.["."];
if (!core || Object.keys(core)[0] !== "types" || !core.default) fail('package.json: exports["."] must give "types" first, then "default"');
for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
  if (entry === "./package.json") continue;
  for (const path of typeof target === "string" ? [target] : Object.values(target)) {
    if (!files.includes(posix.normalize(path))) fail(`package.json: exports["${entry}"] points at ${path}, which is not in the tarball`);
  }
}

/** Every module specifier a declaration file names: imports, re-exports and `import("…")` types (tsc's output is not minified). */
const specifiers = (text) => [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map((match) => match[1]);
const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
for (const file of files.filter((name) => /\.d\.ts$/.test(name))) {
  const text = readFileSync(join(PACKAGE_DIR, file), "utf8");
  for (const specifier of specifiers(text)) {
    if (!specifier.startsWith("./") && !specifier.startsWith("../")) fail(`${file} imports "${specifier}": the package may import only its own files`);
  }
  if (/cloudflare:|\bzod\b|\bhono\b/.test(withoutComments(text))) fail(`${file} mentions cloudflare:, zod or hono`);
}

/**
 * The JS is minified, so its imports are read by esbuild: it bundles each entry from dist/ and
 * reports every import that leaves the package (there must be none), and which dist files the entry
 * loads (itself and its chunks).
 */
async function loadedFiles(entryFile) {
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
            foreign.push(`${args.importer ? posix.relative(DIST, args.importer) : "?"} imports "${args.path}"`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  for (const line of foreign) fail(`dist/${line}: the package may import only its own files`);
  return Object.keys(result.metafile.inputs).map((input) => posix.relative(posix.relative(process.cwd(), DIST), input));
}
for (const file of files.filter((name) => /\.js$/.test(name))) {
  if (/cloudflare:|\bzod\b|\bhono\b/.test(readFileSync(join(PACKAGE_DIR, file), "utf8"))) fail(`${file} mentions cloudflare:, zod or hono`);
}

/** The core entry and every chunk it loads, gzipped one by one (as a browser fetches them). */
async function gzippedWithImports(entryFile) {
  const loaded = await loadedFiles(entryFile);
  return loaded.reduce((total, file) => total + gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length, 0);
}
const coreFile = posix.relative("dist", posix.normalize(core?.default ?? "dist/index.js"));
const coreRaw = readFileSync(join(DIST, coreFile)).length;
const coreGzip = await gzippedWithImports(coreFile);
const percent = ((coreGzip / CORE_BUDGET) * 100).toFixed(0);
console.log(`@edge-presence/client ${manifest.version}: ${files.length} files, tarball ${packed.size} B (unpacked ${packed.unpackedSize} B)`);
console.log(`core entry (${coreFile}): ${coreRaw} B minified, ${coreGzip} B min+gzip (${(coreGzip / 1024).toFixed(2)} KB of the ${CORE_BUDGET / 1024} KB budget, ${percent}%)`);
if (coreGzip > CORE_BUDGET) fail(`core entry is ${coreGzip} B min+gzip, over the ${CORE_BUDGET} B budget`);

if (problems.length > 0) {
  for (const problem of problems) console.error(`✗ ${problem}`);
  process.exit(1);
}
console.log("client package contents OK");
