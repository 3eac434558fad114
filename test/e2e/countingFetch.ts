import type { FetchLike } from "../../packages/client/src";

/** The global `fetch`, keeping every request that goes through it as `METHOD /path` (REST calls, polls). */
export function countingFetch(): { fetch: FetchLike; requests: string[] } {
  const requests: string[] = [];
  return {
    fetch: (url, init) => {
      requests.push(`${init.method} ${new URL(url).pathname}`);
      return fetch(url, init);
    },
    requests,
  };
}
