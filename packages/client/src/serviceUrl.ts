/** `path` on the service at `baseUrl` (`http(s)://…` or `ws(s)://…`) as an `http(s)` URL; defaults to the page's origin. */
export function serviceUrl(baseUrl: string | undefined, path: string): URL {
  const origin = baseUrl ?? (globalThis as { location?: { origin: string } }).location?.origin;
  if (!origin) throw new Error("baseUrl is required outside a browser page");
  const url = new URL(path, origin);
  url.protocol = url.protocol.replace(/^ws/, "http");
  return url;
}
