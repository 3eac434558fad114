import * as z from "zod";
import type { Env } from "./env";
import type { GlobalVisibility } from "./visibility/rule";
import { parseShardCounts, type ShardCounts } from "./rooms/shards";

const Milliseconds = z.coerce.number().int().min(1).max(86_400_000);
/** An optional string var: empty means unset. */
const Optional = z.string().optional().transform((value) => (value ? value : undefined));
const List = z.string().optional().transform((value) => (value ?? "").split(",").map((item) => item.trim()).filter(Boolean));
const ClaimName = z.string().min(1).max(256);

const ConfigSchema = z.object({
  AWAY_AFTER_MS: Milliseconds,
  OFFLINE_AFTER_MS: Milliseconds,
  LEASE_MS: Milliseconds.default(600_000),
  SWEEP_MS: Milliseconds.default(120_000),
  DISCONNECT_GRACE_MS: Milliseconds,
  JOIN_PUSH_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  DEV_TOKENS: z.enum(["true", "false"]).default("false"),
  LOG_WAKES: z.enum(["true", "false"]).default("false"),
  JWT_JWKS: Optional,
  JWT_JWKS_URL: Optional.pipe(z.url().optional()),
  JWT_ISSUER: Optional,
  JWT_AUDIENCE: List,
  CLAIM_ORG: ClaimName.default("org"),
  CLAIM_ZONE: ClaimName.default("zone"),
  CLAIM_NAME: ClaimName.default("name"),
  ALLOWED_ORIGINS: List,
  GLOBAL_VISIBILITY: z.enum(["counts", "everyone"]).default("counts"),
  INBOX_TTL_MS: z.coerce.number().int().min(1_000).max(365 * 86_400_000).default(30 * 86_400_000),
  WATCH_HUBS: z
    .string()
    .default("")
    .transform((spec, context) => parseShardCounts(spec) ?? (context.addIssue("WATCH_HUBS: like global=2 (1 to 256 each)"), z.NEVER)),
  WEBHOOK_URL: Optional.pipe(z.url().optional()),
  WEBHOOK_SECRET: Optional,
  WEBHOOK_RETRY_BASE_S: z.coerce.number().int().min(0).max(3_600).default(30),
  SCOPE_SHARDS: z
    .string()
    .default("")
    .transform((spec, context) => parseShardCounts(spec) ?? (context.addIssue("SCOPE_SHARDS: like global=64,org=1,zone=1 (1 to 256 each)"), z.NEVER)),
});

/** Where presence events go and how they are signed; null when either the URL or the secret is unset. */
export interface WebhookConfig {
  url: string;
  secret: string;
  /** The first retry's delay (s); each next one doubles, up to an hour. */
  retryBaseS: number;
}

/** How tokens from an identity provider are checked and read. */
export interface TokenConfig {
  /** A JWKS as JSON text (inline keys: tests, air-gapped set-ups). */
  jwks: string | undefined;
  /** Where the provider publishes its JWKS. */
  jwksUrl: string | undefined;
  issuer: string | undefined;
  /** Accepted audiences (any one of them); empty: not checked. */
  audience: string[];
  /** The claim names that carry the org, the zone and the display name. */
  claims: { org: string; zone: string; name: string };
}

/** Timers and switches, validated once from `[vars]`. */
export interface Config {
  awayAfterMs: number;
  offlineAfterMs: number;
  /** Rooms other than `global` ask their object about a member not heard from in three leases; a removal is pushed again after one. */
  leaseMs: number;
  /** How often a `global` shard asks each member's object about them (which then checks its devices' heartbeats). */
  sweepMs: number;
  disconnectGraceMs: number;
  /** How long a user who comes online waits before joining rosters, so a connect storm greets everyone first. */
  joinPushDelayMs: number;
  devTokens: boolean;
  /** Log one line each time an object handles an event, so operators and benchmarks can count wake-ups. */
  logWakes: boolean;
  tokens: TokenConfig;
  /** Other origins whose pages may call the API and open sockets; `*` allows any (local development). */
  allowedOrigins: string[];
  /** Whether users may read the `global` roster, or only its counts. */
  globalVisibility: GlobalVisibility;
  /** How long a stored message waits for a device to acknowledge it. */
  inboxTtlMs: number;
  webhooks: WebhookConfig | null;
  /** How many RoomObjects each kind of scope's roster is split over. */
  scopeShards: ShardCounts;
  /** How many watch hubs serve a sharded scope of each kind (each up to `MAX_WATCHERS` sockets). */
  watchHubs: ShardCounts;
}

export function readConfig(env: Env): Config {
  const vars = ConfigSchema.parse(env);
  return {
    awayAfterMs: vars.AWAY_AFTER_MS,
    offlineAfterMs: vars.OFFLINE_AFTER_MS,
    leaseMs: vars.LEASE_MS,
    sweepMs: vars.SWEEP_MS,
    disconnectGraceMs: vars.DISCONNECT_GRACE_MS,
    joinPushDelayMs: vars.JOIN_PUSH_DELAY_MS,
    devTokens: vars.DEV_TOKENS === "true",
    logWakes: vars.LOG_WAKES === "true",
    tokens: {
      jwks: vars.JWT_JWKS,
      jwksUrl: vars.JWT_JWKS_URL,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      claims: { org: vars.CLAIM_ORG, zone: vars.CLAIM_ZONE, name: vars.CLAIM_NAME },
    },
    allowedOrigins: vars.ALLOWED_ORIGINS,
    globalVisibility: vars.GLOBAL_VISIBILITY,
    inboxTtlMs: vars.INBOX_TTL_MS,
    scopeShards: vars.SCOPE_SHARDS,
    watchHubs: vars.WATCH_HUBS,
    webhooks: vars.WEBHOOK_URL && vars.WEBHOOK_SECRET ? { url: vars.WEBHOOK_URL, secret: vars.WEBHOOK_SECRET, retryBaseS: vars.WEBHOOK_RETRY_BASE_S } : null,
  };
}
