import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { TokenConfig } from "../config";
import { ApiError } from "../errors";
import { TokenClaims } from "../protocol/claims";
import { stripControls } from "../protocol/text";
import { describeIssues } from "../protocol/validation";

/** Clock skew tolerated on `exp` and `nbf`, in seconds. */
export const CLOCK_LEEWAY_S = 30;
/** A provider's JWKS is fetched again for an unknown `kid` at most this often. */
const JWKS_REFETCH_MS = 60_000;

const ASYMMETRIC = ["RS256", "ES256"];

/** Key sets by source, kept per isolate so a provider's keys are fetched once, not per request. */
const keySets = new Map<string, JWTVerifyGetKey>();

function keySetOf(config: TokenConfig): JWTVerifyGetKey | null {
  const source = config.jwks ?? config.jwksUrl;
  if (source === undefined) return null;
  let keys = keySets.get(source);
  if (!keys) {
    keys = config.jwks !== undefined ? createLocalJWKSet(JSON.parse(config.jwks)) : createRemoteJWKSet(new URL(source), { cooldownDuration: JWKS_REFETCH_MS });
    keySets.set(source, keys);
  }
  return keys;
}

const invalid = (message: string) => new ApiError(401, "invalid_token", message);

/**
 * Verifies a token and maps its claims: HS256 with the service's own secret, or RS256/ES256 with the
 * identity provider's JWKS. The algorithm decides the key, so a token can never pick a weaker check
 * (`none`, or HS256 signed with a public key, is refused). Every failure is a 401 with its own code.
 */
export async function verifyToken(token: string, secret: string | undefined, config: TokenConfig): Promise<TokenClaims> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw invalid("the token is malformed");
  }
  const keys = alg === "HS256" ? (secret ? new TextEncoder().encode(secret) : null) : alg && ASYMMETRIC.includes(alg) ? keySetOf(config) : null;
  if (keys === null) throw invalid(`tokens signed with ${alg ?? "no algorithm"} are not accepted here`);
  let payload: JWTPayload;
  try {
    const options = {
      algorithms: alg === "HS256" ? ["HS256"] : ASYMMETRIC,
      clockTolerance: CLOCK_LEEWAY_S,
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      ...(config.audience.length === 0 ? {} : { audience: config.audience }),
    };
    payload = (keys instanceof Uint8Array ? await jwtVerify(token, keys, options) : await jwtVerify(token, keys, options)).payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new ApiError(401, "expired_token", "the token has expired");
    if (error instanceof errors.JWTClaimValidationFailed) throw invalid(`token claim ${error.claim}: ${error.reason}`);
    throw invalid("the token's signature does not match a trusted key");
  }
  return claimsOf(payload, config);
}

/** Reads the claims this service uses, under the names the provider gives them. */
function claimsOf(payload: JWTPayload, config: TokenConfig): TokenClaims {
  const name = payload[config.claims.name];
  const mapped = {
    sub: payload.sub,
    exp: payload.exp,
    ...(payload.iat === undefined ? {} : { iat: payload.iat }),
    ...(payload[config.claims.org] === undefined ? {} : { org: payload[config.claims.org] }),
    ...(payload[config.claims.zone] === undefined ? {} : { zone: payload[config.claims.zone] }),
    ...(typeof name === "string" && stripControls(name) !== "" ? { name: stripControls(name) } : {}),
  };
  const claims = TokenClaims.safeParse(mapped);
  if (!claims.success) throw invalid(`token claims: ${describeIssues(claims.error)}`);
  return claims.data;
}
