const HEADER = "x-upgrade-context";

/**
 * The request a worker route forwards to an object to open a socket there. It is built fresh, so
 * nothing the client sent but the upgrade itself reaches the object; the route validated `context`.
 */
export function internalUpgrade<T>(context: T): Request {
  return new Request("https://object.internal/upgrade", {
    headers: { Upgrade: "websocket", [HEADER]: JSON.stringify(context) },
  });
}

export function upgradeContext<T>(request: Request): T {
  return JSON.parse(request.headers.get(HEADER) ?? "null") as T;
}
