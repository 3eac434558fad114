import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody, ErrorCode } from "./protocol/errors";

/** A refusal with a stable code; `onError` turns it into the one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** The one error response, for code paths outside Hono (an object answering an upgrade). */
export function errorResponse(error: ApiError): Response {
  return Response.json(errorBody(error.code, error.message), { status: error.status });
}
