import * as z from "zod";

/** A user id's characters, as a regular expression's class (a list of ids, say, is built from it). */
export const USER_ID_CHAR = "[A-Za-z0-9._:@-]";
/** The most characters a user id has. */
export const MAX_USER_ID = 128;

/** A user id, as carried in a token's `sub`. */
export const UserId = z
  .string()
  .min(1)
  .max(MAX_USER_ID)
  .regex(new RegExp(`^${USER_ID_CHAR}+$`), `1-${MAX_USER_ID} chars of A-Za-z0-9._:@-`);
export type UserId = z.infer<typeof UserId>;

/** The id part of `org:<id>` and `zone:<id>` scopes, also used for device ids. */
export const ShortId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, "1-64 chars of A-Za-z0-9._-");

export const DeviceId = ShortId;
/** What a device socket says it is (`type=` when connecting). */
export const DeviceType = z.enum(["web", "mobile", "desktop"]);
export type DeviceType = z.infer<typeof DeviceType>;
/** A device as presence lists it: a socket's type, or `rest` for one kept online by REST heartbeats. */
export const PresenceDeviceType = z.enum([...DeviceType.options, "rest"]);
export type PresenceDeviceType = z.infer<typeof PresenceDeviceType>;

/** `global`, `org:<id>` or `zone:<id>`. */
export const ScopeId = z
  .string()
  .regex(/^(global|(org|zone):[A-Za-z0-9._-]{1,64})$/, "global, org:<id> or zone:<id>");
export type ScopeId = z.infer<typeof ScopeId>;
