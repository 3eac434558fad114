import { ErrorBody } from "../protocol/errors";

/**
 * Shared pieces of the routes' OpenAPI metadata (generated at build time, served at `/v1/openapi.json`): the security
 * requirements and the error responses that middleware and `onError` in app.ts give many routes.
 * Only documentation: nothing here changes what a route does.
 */

/** Every refusal has the one JSON shape (`Error`). */
export const errorContent = { "application/json": { schema: ErrorBody } };

export function errorResponse(description: string) {
  return { description, content: errorContent };
}

/** One way to authenticate: scheme names (components.securitySchemes, registered in app.ts) to scopes. */
type SecurityRequirement = Record<string, string[]>;

/** A user's JWT, or a service key sent the same way (`Authorization: Bearer`). */
export const bearerSecurity: SecurityRequirement[] = [{ bearer: [] }];
/** Socket upgrades: the bearer header, or `?token=` since browsers cannot set headers on a WebSocket. */
export const socketSecurity: SecurityRequirement[] = [{ bearer: [] }, { queryToken: [] }];
/** No token at all: the route is answered before authentication. */
export const publicSecurity: SecurityRequirement[] = [];

/** Answered by the not-found handler in app.ts to any method the path does not have. */
export const methodNotAllowed = {
  405: {
    description: "The path does not answer this method (`method_not_allowed`); `Allow` lists the methods it does",
    headers: { Allow: { description: "The methods the path answers, e.g. `GET, PUT`", schema: { type: "string" as const } } },
    content: errorContent,
  },
};

/** `onError` in app.ts answers anything unexpected so. */
export const internalError = { 500: errorResponse("Something went wrong on our side (`internal`); the details are in the worker's log") };

/** restRateLimit (src/http/rateLimit.ts): REST calls per caller (socket upgrades are not counted). */
export const rateLimited = {
  429: {
    description: "Too many requests from this caller (`rate_limited`); retry after `Retry-After` seconds",
    headers: { "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer" as const } } },
    content: errorContent,
  },
};

/** The body limit in app.ts refuses any request body over 16 KiB, before the route reads it. */
export const payloadTooLarge = { 413: errorResponse("The request body is over 16 KiB (`payload_too_large`)") };

/** A route with a JSON body refuses a body of any other content type. */
export const unsupportedMediaType = { 415: errorResponse("The body is not sent as `application/json` (`unsupported_media_type`)") };

/** A malformed token, or none: refused by requireAuth (src/http/auth.ts). */
export const unauthorized = (description = "Missing, invalid or expired token (`missing_token`, `invalid_token`, `expired_token`)") => ({
  401: errorResponse(description),
});

/** The errors any authenticated REST route can answer besides its own: 401, 405, 429 and 500. */
export const restErrors = { ...unauthorized(), ...methodNotAllowed, ...rateLimited, ...internalError };

/** What a route with a JSON body can answer besides: 413 and 415. */
export const bodyErrors = { ...payloadTooLarge, ...unsupportedMediaType };
