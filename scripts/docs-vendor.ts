import { copyFile, mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Copies Swagger UI's files from the swagger-ui-dist package (a dev dependency) into
 * public/docs/vendor/, where the `[assets]` of wrangler.toml serve them to the API reference at
 * `/docs` (public/docs/index.html). The copies are not committed (.gitignore): this runs before
 * `npm run dev`, `npm run test:e2e` and `npm run deploy` (their `pre` scripts), and the e2e test of
 * `/docs` runs it too. Files already up to date are left alone.
 *
 *   node scripts/docs-vendor.ts        (npm run docs:vendor)
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const VENDOR_DIR = join(ROOT, "public/docs/vendor");
const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

async function same(a: string, b: string): Promise<boolean> {
  try {
    const [left, right] = await Promise.all([readFile(a), readFile(b)]);
    return left.equals(right);
  } catch {
    return false;
  }
}

export async function copyDocsVendor(): Promise<{ version: string; copied: number; dir: string }> {
  const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const { version } = JSON.parse(await readFile(join(dist, "package.json"), "utf8")) as { version: string };
  await mkdir(VENDOR_DIR, { recursive: true });
  let copied = 0;
  for (const file of FILES) {
    const [from, to] = [join(dist, file), join(VENDOR_DIR, file)];
    if (await same(from, to)) continue;
    await copyFile(from, to);
    copied += 1;
  }
  return { version, copied, dir: relative(ROOT, VENDOR_DIR) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { version, copied, dir } = await copyDocsVendor();
  console.log(`swagger-ui-dist ${version}: ${copied === 0 ? "up to date" : `${copied} file(s) copied`} in ${dir}/`);
}
