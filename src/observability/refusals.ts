import type { Env } from "../env";
import { errorResponse, type ApiError } from "../errors";
import { logEvent, type LogFields } from "./log";
import { metric } from "./metrics";

/** Logs and counts a refusal (by its code), answered outside Hono; the worker's `onError` does the same for routes. */
export function refused(env: Pick<Env, "METRICS">, error: ApiError, fields: LogFields = {}): ApiError {
  logEvent("refusal", { ...fields, code: error.code, status: error.status });
  metric(env, "refusal", { scope: fields.scope, code: error.code });
  return error;
}

/** The error response of a refusal outside Hono, logged and counted. */
export function refusalResponse(env: Pick<Env, "METRICS">, error: ApiError, fields: LogFields = {}): Response {
  return errorResponse(refused(env, error, fields));
}
