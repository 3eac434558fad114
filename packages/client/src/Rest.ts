import { resolveToken, type TokenSource } from "./connectionOptions.js";
import { RestError, type ResponseLike } from "./RestError.js";
import { serviceUrl } from "./serviceUrl.js";

/** The little of `fetch` the SDK uses, so a browser's, Node's or a test's all fit. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<ResponseLike>;

export interface RestOptions {
  token: TokenSource;
  /** The service's origin (`https://…` or `wss://…`); defaults to the page's origin. */
  baseUrl?: string;
  /** How REST requests are made (the REST fallback's among them); defaults to the global `fetch`. */
  fetch?: FetchLike;
}

interface RequestOptions {
  /** How many times the request goes out when `fetch` itself fails (no answer came); only for requests safe to repeat. */
  attempts?: number;
}

/** A polled answer and its `ETag` (null when the service sent none). */
export interface Tagged<Body> {
  etag: string | null;
  body: Body;
}

/** The service's JSON routes with the client's token: one request per call, a refusal thrown as a `RestError`. */
export class Rest {
  private readonly fetch: FetchLike;

  constructor(private readonly options: RestOptions) {
    const fetch: FetchLike = options.fetch ?? globalThis.fetch;
    // Called bare: a browser's `fetch` throws when called as a method of anything but `window`.
    this.fetch = (url, init) => fetch(url, init);
  }

  async request<Body>(method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: object, { attempts = 1 }: RequestOptions = {}): Promise<Body> {
    const response = await this.send(method, path, body, {}, attempts);
    if (!response.ok) throw await RestError.from(response);
    return (await response.json()) as Body;
  }

  /** A conditional GET: `held` itself when the answer is still the one it holds (a 304 with no body), else the new answer. */
  async poll<Body>(path: string, held?: Tagged<Body>): Promise<Tagged<Body>> {
    const response = await this.send("GET", path, undefined, held?.etag ? { "If-None-Match": held.etag } : {}, 1);
    if (held && response.status === 304) return held;
    if (!response.ok) throw await RestError.from(response);
    return { etag: response.headers?.get("ETag") ?? null, body: (await response.json()) as Body };
  }

  private async send(method: string, path: string, body: object | undefined, headers: Record<string, string>, attempts: number): Promise<ResponseLike> {
    headers.Authorization = `Bearer ${await resolveToken(this.options.token)}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const url = serviceUrl(this.options.baseUrl, path).toString();
    const init = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.fetch(url, init);
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }
}
