import { z } from "zod";

/** With the `u` flag a surrogate pair is one code point, so this matches lone surrogates only. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Text as people type it: well-formed Unicode only. A lone surrogate cannot be stored or sent on
 * faithfully (it comes back as U+FFFD), so it is refused where it enters.
 */
export function wellFormed(schema: z.ZodString) {
  return schema.refine((text) => !LONE_SURROGATE.test(text), "must be well-formed Unicode (no lone surrogates)");
}
