import { resolveToken, type TokenSource } from "./connectionOptions.js";
import { RestError, type ResponseLike } from "./RestError.js";
import { serviceUrl } from "./serviceUrl.js";

/** The little of `fetch` the SDK uses, so a browser's, Node's or a test's all fit. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<ResponseLike>;

export interface RestOptions {
  token: TokenSource;
  /** The service's origin (`https://…` or `wss://…`); defaults to the page's origin. */
  baseUrl?: string;
  /** How a request is made; defaults to the global `fetch`. */
  fetch?: FetchLike;
}

interface RequestOptions {
  /** How many times the request goes out when `fetch` itself fails (no answer came); only for requests safe to repeat. */
  attempts?: number;
}

/** The service's JSON routes with the client's token: one request per call, a refusal thrown as a `RestError`. */
export class Rest {
  private readonly fetch: FetchLike;

  constructor(private readonly options: RestOptions) {
    const fetch: FetchLike = options.fetch ?? globalThis.fetch;
    // Called bare: a browser's `fetch` throws when called as a method of anything but `window`.
    this.fetch = (url, init) => fetch(url, init);
  }

  async request<Body>(method: "GET" | "PUT" | "POST", path: string, body?: object, { attempts = 1 }: RequestOptions = {}): Promise<Body> {
    const headers: Record<string, string> = { Authorization: `Bearer ${await resolveToken(this.options.token)}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const url = serviceUrl(this.options.baseUrl, path).toString();
    const init = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
    const response = await this.fetchWithAttempts(url, init, attempts);
    if (!response.ok) throw await RestError.from(response);
    return (await response.json()) as Body;
  }

  private async fetchWithAttempts(url: string, init: Parameters<FetchLike>[1], attempts: number): Promise<ResponseLike> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.fetch(url, init);
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }
}
