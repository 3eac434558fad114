import * as z from "zod";
import { ScopeStats } from "./rest";

export const Health = z.object({ ok: z.literal(true), version: z.string() }).meta({ id: "Health" });

export const Stats = z
  .object({
    at: z.number().int().meta({ description: "When the figures were read (epoch ms)" }),
    connections: z.object({
      devices: z.number().int().meta({ description: "Device sockets held now" }),
      watchers: z.number().int().meta({ description: "Watch sockets held now, over the scopes listed" }),
    }),
    scopes: z.array(ScopeStats).meta({ description: "Every scope whose room holds members, or remembers one who left within a day, by name (at most 1,000)" }),
    more: z.boolean().meta({ description: "More scopes hold someone than are listed" }),
  })
  .meta({ id: "Stats" });
export type Stats = z.infer<typeof Stats>;
