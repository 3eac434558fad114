/**
 * Reads local workerd's Durable Object storage (either runtime): one SQLite database per object under
 * `<persist>/v3/do/<script>-<Class>/<id>.sqlite` (WAL mode, so also -wal and -shm files), plus a
 * shared `metadata.sqlite` per class (alarms). Opened read-only with node:sqlite while workerd
 * runs; WAL readers see the last committed state.
 */
import { createHash, createHmac } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export interface ObjectDatabase {
  className: string;
  file: string;
  /** The name the object was addressed by (idFromName), if it is one of the names the caller expected. */
  name: string | null;
  pages: number;
  pageSize: number;
  /** page_count × page_size. */
  logicalBytes: number;
  /** .sqlite + -wal + -shm. */
  diskBytes: number;
  /** Row payload of the service's own tables and their indexes (dbstat), leaving out runtime tables. */
  payloadBytes: number;
  /** Rows per service table. */
  rows: Record<string, number>;
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Tables the runtime or miniflare add to every object (`_cf_*`, `__miniflare_*`). */
function isRuntimeTable(table: string): boolean {
  return table.startsWith("_cf_") || table.startsWith("__miniflare") || table.startsWith("sqlite_");
}

function classDirs(persistDir: string): { className: string; dir: string }[] {
  const root = join(persistDir, "v3", "do");
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ className: entry.name.slice(entry.name.lastIndexOf("-") + 1), dir: join(root, entry.name) }));
}

/**
 * The id local workerd gives `name` in the namespace `uniqueKey` (its idFromName; wrangler dev uses
 * `<script>-<Class>` as the key): an HMAC-SHA256 of the name keyed by sha256(uniqueKey), then one of
 * that half, 16 bytes each. Bare workerd stores no name (wrangler dev's miniflare adds a table for it).
 */
export function objectId(uniqueKey: string, name: string): string {
  const key = createHash("sha256").update(uniqueKey).digest();
  const base = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  return Buffer.concat([base, createHmac("sha256", key).update(base).digest().subarray(0, 16)]).toString("hex");
}

function inspectFile(className: string, file: string, name: string | null): ObjectDatabase {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const pages = Number((db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count);
    const pageSize = Number((db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
    const objects = db.prepare("SELECT name, tbl_name, type FROM sqlite_master").all() as { name: string; tbl_name: string; type: string }[];
    const own = new Set(objects.filter((row) => !isRuntimeTable(row.tbl_name)).map((row) => row.name));
    let payloadBytes = 0;
    for (const row of db.prepare("SELECT name, SUM(payload) AS payload FROM dbstat GROUP BY name").all() as { name: string; payload: number }[]) {
      if (own.has(row.name)) payloadBytes += Number(row.payload);
    }
    const rows: Record<string, number> = {};
    for (const table of objects.filter((row) => row.type === "table" && !isRuntimeTable(row.tbl_name))) {
      rows[table.name] = Number((db.prepare(`SELECT COUNT(*) AS n FROM "${table.name.replaceAll('"', '""')}"`).get() as { n: number }).n);
    }
    return {
      className,
      file,
      name,
      pages,
      pageSize,
      logicalBytes: pages * pageSize,
      diskBytes: fileSize(file) + fileSize(`${file}-wal`) + fileSize(`${file}-shm`),
      payloadBytes,
      rows,
    };
  } finally {
    db.close();
  }
}

/** Every object database of every class (the per-class metadata.sqlite left out), named when its name is in `names`. */
export function inspectObjects(persistDir: string, names: string[] = []): ObjectDatabase[] {
  return classDirs(persistDir).flatMap(({ className, dir }) => {
    const byId = new Map(names.map((name) => [`${objectId(basename(dir), name)}.sqlite`, name]));
    return readdirSync(dir)
      .filter((file) => file.endsWith(".sqlite") && file !== "metadata.sqlite")
      .map((file) => inspectFile(className, join(dir, file), byId.get(file) ?? null));
  });
}

/** Each class's shared metadata.sqlite (where the runtime keeps alarms), page_count × page_size. */
export function classMetadataBytes(persistDir: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const { className, dir } of classDirs(persistDir)) {
    const file = join(dir, "metadata.sqlite");
    if (!existsSync(file)) continue;
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const pages = Number((db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count);
      const pageSize = Number((db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
      sizes[className] = pages * pageSize;
    } finally {
      db.close();
    }
  }
  return sizes;
}

/** Files and bytes on disk under every `<persist>/v3/do/*<className>*` directory (metadata included). */
export function classDiskUsage(persistDir: string, className: string): { files: number; bytes: number } {
  const usage = { files: 0, bytes: 0 };
  for (const { dir } of classDirs(persistDir).filter((entry) => entry.className === className)) {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      usage.files += 1;
      usage.bytes += fileSize(join(entry.parentPath, entry.name));
    }
  }
  return usage;
}
