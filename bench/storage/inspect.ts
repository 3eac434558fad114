/**
 * Reads wrangler dev's local Durable Object storage: one SQLite database per object under
 * `<persist>/v3/do/<script>-<Class>/<id>.sqlite` (WAL mode, so also -wal and -shm files), plus a
 * shared `metadata.sqlite` per class (alarms). Opened read-only with node:sqlite while workerd
 * runs; WAL readers see the last committed state.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export interface ObjectDatabase {
  className: string;
  file: string;
  /** The name the object was addressed by (idFromName), which miniflare keeps in `__miniflare_do_name`. */
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

function inspectFile(className: string, file: string): ObjectDatabase {
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
    let name: string | null = null;
    if (objects.some((row) => row.name === "__miniflare_do_name")) {
      const first = db.prepare("SELECT * FROM __miniflare_do_name LIMIT 1").get() as Record<string, unknown> | undefined;
      const value = first ? Object.values(first).find((cell) => typeof cell === "string") : undefined;
      name = typeof value === "string" ? value : null;
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

/** Every object database of every class (the per-class metadata.sqlite left out). */
export function inspectObjects(persistDir: string): ObjectDatabase[] {
  return classDirs(persistDir).flatMap(({ className, dir }) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".sqlite") && file !== "metadata.sqlite")
      .map((file) => inspectFile(className, join(dir, file))),
  );
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
