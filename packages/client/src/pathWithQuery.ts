/** `path` with the parameters of `query` that are not undefined as its query string (none: `path` as it is). */
export function pathWithQuery(path: string, query: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  return `${path}${`${search}` && `?${search}`}`;
}
