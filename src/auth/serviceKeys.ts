/** The shortest service key accepted: shorter ones in SERVICE_KEYS are ignored. */
export const MIN_SERVICE_KEY_LENGTH = 32;

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * Whether `presented` is one of the comma-separated keys (several, for rotation). Compared as
 * SHA-256 digests in constant time, so neither a key's content nor its length leaks through timing.
 */
export async function isServiceKey(presented: string, keys: string | undefined): Promise<boolean> {
  const candidates = (keys ?? "").split(",").map((key) => key.trim()).filter((key) => key.length >= MIN_SERVICE_KEY_LENGTH);
  if (candidates.length === 0) return false;
  const mine = await digest(presented);
  let match = false;
  for (const key of candidates) if (crypto.subtle.timingSafeEqual(mine, await digest(key))) match = true;
  return match;
}
