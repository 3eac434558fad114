import { z } from "zod";
import type { Env } from "./env";

const Milliseconds = z.coerce.number().int().min(1).max(86_400_000);

const ConfigSchema = z.object({
  AWAY_AFTER_MS: Milliseconds,
  OFFLINE_AFTER_MS: Milliseconds,
  DISCONNECT_GRACE_MS: Milliseconds,
  JOIN_PUSH_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  DEV_TOKENS: z.enum(["true", "false"]).default("false"),
  LOG_WAKES: z.enum(["true", "false"]).default("false"),
});

/** Timers and switches, validated once from `[vars]`. */
export interface Config {
  awayAfterMs: number;
  offlineAfterMs: number;
  disconnectGraceMs: number;
  /** How long a user who comes online waits before joining rosters, so a connect storm greets everyone first. */
  joinPushDelayMs: number;
  devTokens: boolean;
  /** Log one line each time an object handles an event, so operators and benchmarks can count wake-ups. */
  logWakes: boolean;
}

export function readConfig(env: Env): Config {
  const vars = ConfigSchema.parse(env);
  return {
    awayAfterMs: vars.AWAY_AFTER_MS,
    offlineAfterMs: vars.OFFLINE_AFTER_MS,
    disconnectGraceMs: vars.DISCONNECT_GRACE_MS,
    joinPushDelayMs: vars.JOIN_PUSH_DELAY_MS,
    devTokens: vars.DEV_TOKENS === "true",
    logWakes: vars.LOG_WAKES === "true",
  };
}
