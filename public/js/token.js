/** Tokens for the dashboard: minting a development token, and reading a token's claims. */

export class SignInError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const MESSAGES = {
  dev_tokens_disabled:
    "This server does not mint development tokens (dev_tokens_disabled). Paste a token from your identity provider instead.",
  invalid_request: "The server refused these details",
};

/** POST /v1/dev/token; refusals become a SignInError carrying the service's error code. */
export async function mintDevToken(request) {
  let response;
  try {
    response = await fetch("/v1/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
  } catch {
    throw new SignInError("network", "Could not reach the server.");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const code = body?.error?.code ?? `http_${response.status}`;
    const detail = body?.error?.message ?? response.statusText;
    throw new SignInError(code, code === "dev_tokens_disabled" ? MESSAGES[code] : `${MESSAGES[code] ?? "Minting failed"}: ${detail} (${code}).`);
  }
  return body.token;
}

/** The claims of a JWT, read without checking its signature (the server does that). */
export function claimsOf(token) {
  const payload = token.trim().split(".")[1];
  let claims = null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    claims = null;
  }
  if (!claims || typeof claims.sub !== "string" || typeof claims.exp !== "number") {
    throw new SignInError("invalid_token", "That does not look like a token of this service (no sub or exp claim).");
  }
  return claims;
}

export function isExpired(claims, marginMs = 0) {
  return claims.exp * 1000 - marginMs <= Date.now();
}

/** The scopes whose rosters a token may watch: its org and zone, when it has them (`global` is only counted). */
export function rosterScopesOf(claims) {
  return [claims.org && `org:${claims.org}`, claims.zone && `zone:${claims.zone}`].filter(Boolean);
}

/**
 * The SDK's token provider: the current token while it is fresh; a newly minted one when it is about
 * to expire and it was minted here; otherwise it gives up through `onExpired`.
 */
export function tokenProvider(initial, mintRequest, onExpired) {
  let current = initial;
  return async () => {
    if (!isExpired(claimsOf(current), 60_000)) return current;
    if (!mintRequest) {
      onExpired();
      throw new SignInError("expired_token", "The token has expired.");
    }
    current = await mintDevToken(mintRequest);
    return current;
  };
}
