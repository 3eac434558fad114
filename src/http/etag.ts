import * as z from "zod";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./appEnv";

/**
 * Conditional GETs for polled reads (rosters, counts, a user's presence): a strong `ETag` that is a
 * hash of the body exactly as this caller gets it, and 304 with no body when `If-None-Match` names
 * it. Hashing the answer, never the data behind it, keeps the visibility rule the one source: two
 * viewers who see different things get different tags, and a tag says nothing a body would not.
 */

/** Every answer may be stored by the caller's own cache only, and must be revalidated before each use. */
export const CACHE_CONTROL = "private, no-cache";

/** The tag of a body: its SHA-256, base64url, quoted (a strong validator). */
export async function entityTag(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const base64 = btoa(String.fromCharCode(...digest));
  return `"${base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

/** Whether an `If-None-Match` value names `tag` (a list of tags, weak ones compared weakly, or `*`). */
export function namesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return (ifNoneMatch.match(/(?:W\/)?"[^"]*"/g) ?? []).some((named) => named.replace(/^W\//, "") === tag);
}

/** Tags a 200 answer and turns it into a 304 when the caller holds it already; refusals pass untouched. */
export const conditionalGet = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method !== "GET" || c.res.status !== 200) return;
  const tag = await entityTag(await c.res.clone().arrayBuffer());
  if (namesTag(c.req.header("If-None-Match"), tag)) {
    await c.res.body?.cancel();
    // Hono carries the answer's other headers (CORS among them) over to the 304.
    c.res = new Response(null, { status: 304, headers: { ETag: tag, "Cache-Control": CACHE_CONTROL } });
  } else {
    c.res.headers.set("ETag", tag);
    c.res.headers.set("Cache-Control", CACHE_CONTROL);
  }
  // A page of another origin may read the tag (to send it back in `If-None-Match`).
  if (c.res.headers.has("Access-Control-Allow-Origin")) c.res.headers.append("Access-Control-Expose-Headers", "ETag");
});

/** The request header of a conditional GET, for the OpenAPI document (validation takes any value). */
export const ConditionalHeaders = z.object({
  "if-none-match": z.string().optional().meta({ description: "The `ETag` of the answer the caller holds: 304 with no body when it is still the answer" }),
});

/** The headers of a conditional GET's 200, and its 304, for the OpenAPI document. */
const answerHeaders = {
  ETag: { description: "A strong tag of this body as the caller sees it; send it back in `If-None-Match`", schema: { type: "string" as const } },
  "Cache-Control": { description: "`private, no-cache`: revalidate before every use", schema: { type: "string" as const } },
};
export const taggedHeaders = { headers: answerHeaders };
export const notModified = { 304: { description: "Not modified: the answer is still the one tagged `If-None-Match` (no body)", headers: answerHeaders } };
