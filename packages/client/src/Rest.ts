import { resolveToken, type TokenSource } from "./connectionOptions.js";
import { RestError, type ResponseLike } from "./RestError.js";
import { serviceUrl } from "./serviceUrl.js";

/** The little of `fetch` the SDK uses, so a browser's, Node's or a test's all fit. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<ResponseLike>;

/** Where the service is and as whom REST requests go. */
export interface RestOptions {
  /** The user's token: a string, or a function asked for one before every request and (re)connect. */
  token: TokenSource;
  /** The service's origin (`https://…` or `wss://…`); defaults to the page's origin. */
  baseUrl?: string;
  /** How REST requests are made (the REST fallback's among them); defaults to the global `fetch`. */
  fetch?: FetchLike;
}

/** A polled answer and its `ETag` (null when the service sent none). */
export interface Tagged<Body> {
  etag: string | null;
  body: Body;
}

/** The service's JSON routes with the client's token: one request per call, a refusal thrown as a `RestError`. */
export class Rest {
  readonly #options: RestOptions;

  constructor(options: RestOptions) {
    this.#options = options;
  }

  /** `attempts`: how many times the request goes out when `fetch` itself fails (no answer came); more than 1 only for requests safe to repeat. */
  async request<Body>(method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: object, attempts = 1): Promise<Body> {
    return bodyOf(await this.#send(method, path, body, {}, attempts));
  }

  /** A conditional GET: `held` itself when the answer is still the one it holds (a 304 with no body), else the new answer. */
  async poll<Body>(path: string, held?: Tagged<Body>): Promise<Tagged<Body>> {
    const response = await this.#send("GET", path, undefined, held?.etag ? { "If-None-Match": held.etag } : {}, 1);
    if (held && response.status === 304) return held;
    return { etag: response.headers?.get("ETag") ?? null, body: await bodyOf(response) };
  }

  async #send(method: string, path: string, body: object | undefined, headers: Record<string, string>, attempts: number): Promise<ResponseLike> {
    headers.Authorization = `Bearer ${await resolveToken(this.#options.token)}`;
    if (body) headers["Content-Type"] = "application/json";
    const url = serviceUrl(this.#options.baseUrl, path).toString();
    const fetch = this.#options.fetch ?? globalThis.fetch;
    const init = { method, headers, body: body && JSON.stringify(body) };
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Called bare: a browser's `fetch` throws when called as a method of anything but `window`.
        return await fetch(url, init);
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }
}

/** A successful answer's JSON body; a refusal thrown as a `RestError`. */
async function bodyOf<Body>(response: ResponseLike): Promise<Body> {
  if (!response.ok) throw await RestError.from(response);
  return (await response.json()) as Body;
}
