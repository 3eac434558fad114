/**
 * `Presence-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver recomputes
 * the HMAC with the shared secret and refuses a `t` too far from its clock (a replay).
 */

export const SIGNATURE_HEADER = "Presence-Signature";

async function hmacHex(secret: string, text: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(text));
  return [...new Uint8Array(mac)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function signature(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`;
}
