/** When a JWT expires (epoch ms), read from its payload without verifying it; null when it cannot tell. */
export function tokenExpiry(token: string): number | null {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** When to send a fresh token: a fifth of the remaining lifetime ahead of `exp`, at most a minute ahead. */
export function refreshAt(expiresAt: number, now: number): number {
  return expiresAt - Math.min(60_000, Math.max(0, expiresAt - now) / 5);
}
