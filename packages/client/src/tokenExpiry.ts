/** A JWT's time claim (`exp`, `iat`) in epoch ms, read from its payload without verifying it; null when it cannot tell. */
function timeClaim(token: string, claim: "exp" | "iat"): number | null {
  try {
    // atob takes base64 without its padding, as a JWT carries it.
    const json = atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"));
    const value = (JSON.parse(json) as Record<string, unknown>)[claim];
    return typeof value === "number" ? value * 1000 : null;
  } catch {
    return null;
  }
}

export const tokenExpiry = (token: string) => timeClaim(token, "exp");
export const tokenIssuedAt = (token: string) => timeClaim(token, "iat");

/** When to send a fresh token: a fifth of the remaining lifetime ahead of `exp`, at most a minute ahead. */
export function refreshAt(expiresAt: number, now: number): number {
  return expiresAt - Math.min(60_000, Math.max(0, expiresAt - now) / 5);
}
