import * as z from "zod";
import { DeviceId, DeviceType, MAX_USER_ID, ScopeId, ShortId, USER_ID_CHAR, UserId } from "./ids";
import { MAX_RELATION_CHANGE } from "./constants";
import { ChosenStatus, DisplayName, Member, PresenceView, StatusText, Until } from "./presence";

export const UserParam = z.object({ user: UserId });

/** The most users one batch read names. */
export const MAX_BATCH_USERS = 100;
export const BatchRequest = z.strictObject({ users: z.array(UserId).min(1).max(MAX_BATCH_USERS) });
export const BatchResponse = z.object({ presence: z.record(z.string(), PresenceView) });
const ONE_ID = `${USER_ID_CHAR}{1,${MAX_USER_ID}}`;
/** `GET /v1/presence?users=a,b,c`: the conditional (pollable) form of the batch read. */
export const BatchQuery = z.object({
  users: z
    .string()
    .regex(new RegExp(`^${ONE_ID}(,${ONE_ID}){0,${MAX_BATCH_USERS - 1}}$`), `1-${MAX_BATCH_USERS} user ids, comma-separated`)
    .meta({ description: `1 to ${MAX_BATCH_USERS} user ids, comma-separated` }),
});

export const UpdateMeRequest = z.strictObject({ status: ChosenStatus.optional(), text: StatusText.optional(), until: Until.optional() });
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>;

/** A REST device's heartbeat (the whole body is optional: no body keeps the device `rest` online, not active). */
export const HeartbeatRequest = z.strictObject({
  device: DeviceId.optional().meta({ description: "The REST device's id (default `rest`), as a device socket's `device`; keep it stable per tab or install" }),
  active: z.boolean().optional().meta({ description: "`true`: the user is active on the device (as an `activity` frame)" }),
  leave: z.boolean().optional().meta({ description: "`true`: the device ends now (as a socket's close; the grace window applies), as `DELETE` does" }),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;
export const HeartbeatResponse = z.object({
  presence: PresenceView,
  heartbeatMs: z.number().int().meta({ description: "Send the next heartbeat within this many ms (half of OFFLINE_AFTER_MS); 0 after a leave" }),
});
export const HeartbeatLeaveQuery = z.object({ device: DeviceId.optional().meta({ description: "The REST device to end (default `rest`)" }) });

export const ConnectQuery = z.object({
  token: z.string().optional(),
  device: DeviceId.optional(),
  type: DeviceType.default("web"),
});

export const ScopeParam = z.object({ scope: ScopeId });
export const WatchQuery = z.object({
  token: z.string().optional(),
  members: z.enum(["true", "false"]).default("true").meta({ description: "`false`: the sync and diffs carry the counts by status, no members (what a huge roster needs)" }),
});

export const MembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});
export const MembersPage = z.object({ scope: ScopeId, members: z.array(Member), next: z.string().nullable() });
export type MembersPage = z.infer<typeof MembersPage>;

export const ScopeCount = z.object({
  scope: ScopeId,
  online: z.number().int(),
  away: z.number().int(),
  busy: z.number().int(),
  total: z.number().int(),
});
export type ScopeCount = z.infer<typeof ScopeCount>;

export const ScopeStats = ScopeCount.extend({ watchers: z.number().int().meta({ description: "Watch sockets the scope holds now" }) });
export type ScopeStats = z.infer<typeof ScopeStats>;

export const Counts = z.object({ global: z.number().int(), org: z.number().int().nullable(), zone: z.number().int().nullable() });

export const DevTokenRequest = z.strictObject({
  sub: UserId,
  org: ShortId.optional(),
  zone: ShortId.optional(),
  name: DisplayName.optional(),
  ttl: z.number().int().min(60).max(86_400).default(3600),
});
export const DevTokenResponse = z.object({ token: z.string(), expiresAt: z.number().int() });

/** Who may see a user, and who may see when they were last active. */
export const Audience = z.enum(["everyone", "contacts", "nobody"]);
export type Audience = z.infer<typeof Audience>;
export const Privacy = z.strictObject({ visibility: Audience, lastSeen: Audience }).meta({ id: "Privacy" });
export type Privacy = z.infer<typeof Privacy>;
export const PrivacyChange = Privacy.partial();

/** How many contacts, and how many blocked users, one user may have. */
export const MAX_RELATIONS = 5_000;
const ChangedUsers = z.array(UserId).max(MAX_RELATION_CHANGE).default([]);
export const RelationsChange = z
  .strictObject({ add: ChangedUsers, remove: ChangedUsers })
  .refine((change) => change.add.length + change.remove.length > 0, "add or remove at least one user")
  .meta({ id: "RelationsChange" });
export type RelationsChange = z.infer<typeof RelationsChange>;
export const RelationsList = z.object({ users: z.array(UserId) }).meta({ id: "Relations" });
