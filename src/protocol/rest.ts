import { z } from "zod";
import { DeviceId, DeviceType, ScopeId, ShortId, UserId } from "./ids";
import { ChosenStatus, DisplayName, Member, PresenceView, StatusText } from "./presence";

export const UserParam = z.object({ user: UserId });

export const BatchRequest = z.strictObject({ users: z.array(UserId).min(1).max(100) });
export const BatchResponse = z.object({ presence: z.record(z.string(), PresenceView) });

export const UpdateMeRequest = z.strictObject({ status: ChosenStatus.optional(), text: StatusText.optional() });
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>;

export const ConnectQuery = z.object({
  token: z.string().optional(),
  device: DeviceId.optional(),
  type: DeviceType.default("web"),
});

export const ScopeParam = z.object({ scope: ScopeId });
export const WatchQuery = z.object({ token: z.string().optional() });

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

export const Counts = z.object({ global: z.number().int(), org: z.number().int().nullable(), zone: z.number().int().nullable() });

export const DevTokenRequest = z.strictObject({
  sub: UserId,
  org: ShortId.optional(),
  zone: ShortId.optional(),
  name: DisplayName.optional(),
  ttl: z.number().int().min(60).max(86_400).default(3600),
});
export const DevTokenResponse = z.object({ token: z.string(), expiresAt: z.number().int() });
