import * as z from "zod";

/** Every refusal the service makes, by stable machine-readable code. */
export const ErrorCode = z.enum([
  "missing_token",
  "invalid_token",
  "expired_token",
  "invalid_request",
  "forbidden",
  "forbidden_scope",
  "revoked_token",
  "forbidden_origin",
  "payload_too_large",
  "not_found",
  "method_not_allowed",
  "unsupported_media_type",
  "upgrade_required",
  "too_many_devices",
  "too_many_watchers",
  "too_many_relations",
  "too_many_subscriptions",
  "inbox_full",
  "dev_tokens_disabled",
  "invalid_json",
  "unknown_type",
  "invalid_frame",
  "binary_frame",
  "read_only",
  "rate_limited",
  "unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z
  .object({ error: z.object({ code: ErrorCode, message: z.string() }) })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;
