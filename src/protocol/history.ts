import * as z from "zod";
import { ScopeId, UserId } from "./ids";

/** The longest span a scope's history is kept, and may be asked for, in one go. */
export const MAX_HISTORY_SPAN_MS = 7 * 24 * 60 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

const EpochMs = z.coerce.number().int().min(0);

export const ScopeHistoryQuery = z
  .object({
    from: EpochMs.optional().meta({ description: "Start (epoch ms); default: 24 h before `to`" }),
    to: EpochMs.optional().meta({ description: "End (epoch ms); default and latest: now" }),
    step: z.enum(["60", "300", "3600"]).default("60").transform(Number).meta({ description: "Seconds between points" }),
  })
  .transform(({ from, to, step }) => {
    const end = Math.min(to ?? Date.now(), Date.now());
    return { from: from ?? end - DAY, to: end, step: step as 60 | 300 | 3600 };
  })
  .refine(({ from, to }) => from <= to && to - from <= MAX_HISTORY_SPAN_MS, "from must be before to, at most 7 days before it");

export const HistoryPoint = z.object({
  t: z.number().int().meta({ description: "Start of the step (epoch ms)" }),
  online: z.number().int(),
  away: z.number().int(),
  busy: z.number().int(),
});

export const ScopeHistory = z
  .object({ scope: ScopeId, step: z.number().int(), points: z.array(HistoryPoint) })
  .meta({ id: "ScopeHistory", description: "Members by status per step: the most in any minute of it" });
export type ScopeHistory = z.infer<typeof ScopeHistory>;

export const UserHistoryQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(7) });

export const DayTotal = z.object({
  date: z.string().meta({ description: "The UTC day, YYYY-MM-DD" }),
  online: z.number().int().meta({ description: "Seconds online" }),
  away: z.number().int(),
  busy: z.number().int(),
});

export const UserHistory = z
  .object({ user: UserId, days: z.array(DayTotal) })
  .meta({ id: "UserHistory", description: "Days with any time online, away or busy, oldest first; empty for a user the caller may not see" });
export type UserHistory = z.infer<typeof UserHistory>;
