import * as z from "zod";

/** With the `u` flag a surrogate pair is one code point, so this matches lone surrogates only. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Text as people type it: well-formed Unicode only. A lone surrogate cannot be stored or sent on
 * faithfully (it comes back as U+FFFD), so it is refused where it enters.
 */
export function wellFormed(schema: z.ZodString) {
  return schema.refine((text) => !LONE_SURROGATE.test(text), "must be well-formed Unicode (no lone surrogates)");
}

/** C0 and C1 controls (DEL too), and the bidi overrides and isolates that can disguise text. */
const CONTROL_OR_BIDI = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const CONTROLS_AND_BIDI = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Text a user shows to others (a status text): NFC-normalized and trimmed, well-formed, and free of
 * control characters and bidi overrides, which are refused rather than shown.
 */
export function plainText(max: number) {
  return wellFormed(z.string().normalize("NFC").trim().max(max)).refine((text) => !CONTROL_OR_BIDI.test(text), "must not contain control characters or bidi overrides");
}

/** A name from a token: the provider's text with control characters and bidi overrides removed (a token is not refused for them). */
export function stripControls(text: string): string {
  return text.replace(CONTROLS_AND_BIDI, "").normalize("NFC").trim();
}
