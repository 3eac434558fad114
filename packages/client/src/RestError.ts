import type { ErrorBody, ErrorCode } from "./protocol.js";

/** The little of a `fetch` response the SDK reads. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  /** Read for the `ETag` of a polled answer; without it every poll is a full answer. */
  readonly headers?: {
    /** A header's value, or null when the response has none. */
    get(name: string): string | null;
  };
  /** The body read as JSON. */
  json(): Promise<unknown>;
}

/** A request the service refused: the HTTP status, and the stable code from its error body. */
export class RestError extends Error {
  /** The response's HTTP status. */
  readonly status: number;
  /** Null when the body was not the service's error shape (a proxy's error page, say). */
  readonly code: ErrorCode | null;
  override readonly name = "RestError";

  /** A refusal with this status, code and message (see `RestError.from` for one read from a response). */
  constructor(status: number, code: ErrorCode | null, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** Reads the `{"error":{"code","message"}}` body of a refused request. */
  static async from(response: ResponseLike): Promise<RestError> {
    const body = await response.json().catch(() => null);
    const error = (body as Partial<ErrorBody> | null)?.error;
    if (typeof error?.code === "string" && typeof error.message === "string") return new RestError(response.status, error.code, error.message);
    return new RestError(response.status, null, `request failed with status ${response.status}`);
  }
}
