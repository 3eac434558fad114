import * as z from "zod";
import { DeviceId, PresenceDeviceType, UserId } from "./ids";
import { plainText } from "./text";

/** What a user sees of themself. Others see `invisible` as `offline`. */
export const Status = z.enum(["online", "away", "busy", "invisible", "offline"]);
export type Status = z.infer<typeof Status>;

/** A status a user can choose; `auto` clears a manual status. */
export const ChosenStatus = z.enum(["online", "away", "busy", "invisible", "auto"]);
export type ChosenStatus = z.infer<typeof ChosenStatus>;

export const StatusText = plainText(140);

/** How far ahead a chosen status may be set to expire. */
export const MAX_UNTIL_MS = 7 * 24 * 60 * 60 * 1000;

/** When a chosen status and text lapse (epoch ms): in the future, at most 7 days ahead, checked as the request arrives. */
export const Until = z
  .number()
  .int()
  .refine((until) => until > Date.now() && until <= Date.now() + MAX_UNTIL_MS, "must be a time (epoch ms) in the next 7 days");

/** A display name, as a token or the dev token route gives it. */
export const DisplayName = plainText(128).refine((text) => text.length > 0, "must not be empty");

export const DeviceView = z.object({
  id: DeviceId,
  type: PresenceDeviceType,
  idle: z.boolean(),
});
export type DeviceView = z.infer<typeof DeviceView>;

export const PresenceView = z
  .object({
    user: UserId,
    status: Status,
    text: z.string().nullable(),
    lastActive: z.number().int().nullable(),
    lastSeen: z.number().int().nullable(),
    devices: z.array(DeviceView),
  })
  .meta({ id: "Presence" });
export type PresenceView = z.infer<typeof PresenceView>;

/** A user as a scope's roster shows them: only visible users are members. */
export const MemberStatus = z.enum(["online", "away", "busy"]);
export type MemberStatus = z.infer<typeof MemberStatus>;

export const Member = z
  .object({
    user: UserId,
    status: MemberStatus,
    text: z.string().nullable(),
    /** Null when the user keeps their activity from this viewer (their `lastSeen` privacy). */
    lastActive: z.number().int().nullable(),
    name: z.string().optional(),
  })
  .meta({ id: "Member" });
export type Member = z.infer<typeof Member>;
