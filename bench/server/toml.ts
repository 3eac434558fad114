/**
 * Just enough TOML for wrangler.toml as this project writes it: tables and arrays of tables, strings,
 * one-line string arrays and inline tables of numbers. Anything else is left out (the callers check
 * what they need is there).
 */

export type Value = string | string[] | Record<string, number>;
export type Table = { name: string; keys: Record<string, Value> };

const STRING = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;
const unquote = (match: RegExpMatchArray) => match[2] ?? (JSON.parse(`"${match[1]}"`) as string);

/** A basic or literal string, a one-line array of them, or an inline table of numbers (a trailing comment allowed); undefined for anything else. */
function tomlValue(text: string): Value | undefined {
  const bare = text.replace(/\s*#[^"']*$/, "");
  if (/^("(?:[^"\\]|\\.)*"|'[^']*')$/.test(bare)) return unquote([...bare.matchAll(STRING)][0] as RegExpMatchArray);
  if (/^\[.*\]$/.test(bare)) return [...bare.matchAll(STRING)].map(unquote);
  if (/^\{.*\}$/.test(bare)) return Object.fromEntries([...bare.matchAll(/(\w+)\s*=\s*(\d+)/g)].map(([, key, n]) => [key, Number(n)]));
  return undefined;
}

/** wrangler.toml's tables (`[[x]]` once per occurrence) with their string and string-array keys; [vars] must be strings. */
export function parseToml(text: string): Table[] {
  const tables: Table[] = [{ name: "", keys: {} }];
  for (const line of text.split("\n").map((raw) => raw.trim())) {
    const header = line.match(/^\[\[?\s*([\w.-]+)\s*\]\]?\s*(#.*)?$/);
    if (header) tables.push({ name: header[1] as string, keys: {} });
    const entry = header ? null : line.match(/^([\w-]+)\s*=\s*(.*)$/);
    if (!entry) continue;
    const [, key, text] = entry as [string, string, string];
    const table = tables.at(-1) as Table;
    const value = tomlValue(text);
    if (typeof value !== "string" && table.name === "vars") throw new Error(`wrangler.toml: [vars] ${key} is not a string; the bench passes vars as text`);
    if (value !== undefined) table.keys[key] = value;
  }
  return tables;
}
