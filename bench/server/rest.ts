import type { ScopeCount } from "../../src/protocol/rest.ts";
import { nowMs, sleep } from "../clock.ts";

/** `GET /v1/scopes/<scope>/count` (null on any failure: the caller keeps polling). */
export async function scopeCount(httpUrl: string, scope: string, token: string): Promise<ScopeCount | null> {
  try {
    const response = await fetch(`${httpUrl}/v1/scopes/${encodeURIComponent(scope)}/count`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return null;
    return (await response.json()) as ScopeCount;
  } catch {
    return null;
  }
}

export interface CountPoll {
  /** When `total` first reached the target (clock.ts), or null if it never did before the deadline. */
  reachedAt: number | null;
  last: ScopeCount | null;
  polls: number;
}

/** Polls the scope's count every `intervalMs` until `total >= target` or `timeoutMs` passes. */
export async function pollCount(
  httpUrl: string,
  scope: string,
  token: string,
  target: number,
  intervalMs: number,
  timeoutMs: number,
): Promise<CountPoll> {
  const deadline = nowMs() + timeoutMs;
  let last: ScopeCount | null = null;
  let polls = 0;
  while (nowMs() < deadline) {
    polls += 1;
    const count = await scopeCount(httpUrl, scope, token);
    const at = nowMs();
    if (count) last = count;
    if (count && count.total >= target) return { reachedAt: at, last, polls };
    await sleep(intervalMs);
  }
  return { reachedAt: null, last, polls };
}
