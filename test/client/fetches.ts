import { exports } from "cloudflare:workers";
import type { FetchLike } from "../../packages/client/src";

/** Sends the SDK's requests to the real worker, at `BASE_URL` as the SDK believes. */
export const fetchInWorker: FetchLike = (url, init) => exports.default.fetch(url, init);

export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A `fetch` that records each request and answers it with `answer` (by default an empty JSON object); an answer that throws is a network error. */
export function recordingFetch(answer: (request: SentRequest, index: number) => Response = () => Response.json({})) {
  const requests: SentRequest[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request: SentRequest = { url, method: init.method, headers: init.headers, ...(init.body === undefined ? {} : { body: JSON.parse(init.body) }) };
    requests.push(request);
    return answer(request, requests.length - 1);
  };
  return { fetch, requests };
}

export interface CountedRequest {
  method: string;
  /** The path and query, without the origin. */
  path: string;
  /** The answer's status; null while it is on its way. */
  status: number | null;
}

/** `fetchInWorker` that records every request as it goes out, and its answer's status once it comes. */
export function countingFetch() {
  const requests: CountedRequest[] = [];
  const fetch: FetchLike = async (url, init) => {
    const { pathname, search } = new URL(url);
    const request: CountedRequest = { method: init.method, path: pathname + search, status: null };
    requests.push(request);
    const response = await fetchInWorker(url, init);
    request.status = response.status;
    return response;
  };
  return { fetch, requests };
}
