import { readFileSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { freePort } from "./scripts/freePort";

/** Test-only signing keys: the first two are the "identity provider's" published JWKS, the third is a stranger's. */
const keys = JSON.parse(readFileSync(new URL("./test/fixtures/keys.json", import.meta.url).pathname, "utf8")) as Record<string, { public: object }>;

/** Short timers so idle, heartbeat and grace behaviours happen within a test. */
export const TEST_VARS = {
  JWT_SECRET: "test-secret",
  AWAY_AFTER_MS: "1500",
  OFFLINE_AFTER_MS: "2000",
  DISCONNECT_GRACE_MS: "700",
  LEASE_MS: "1500",
  SWEEP_MS: "1000",
  JOIN_PUSH_DELAY_MS: "0",
  DEV_TOKENS: "false",
  JWT_JWKS: JSON.stringify({ keys: [keys["test-es256"]?.public, keys["test-rs256"]?.public] }),
  JWT_ISSUER: "https://issuer.test/",
  JWT_AUDIENCE: "presence-test, another-app",
  CLAIM_ORG: "https://presence.test/org",
  // Two keys, as during a rotation, and one too short to count.
  SERVICE_KEYS: "service-key-one-0123456789abcdef0123456789, service-key-two-0123456789abcdef0123456789, short",
  ALLOWED_ORIGINS: "https://app.example.com, https://admin.example.com",
  INBOX_TTL_MS: "4000",
  // `global` is split over 4 shards in tests, so its counts and member pages are read across shards.
  SCOPE_SHARDS: "global=4",
  // Watchers of `global` are spread over 2 hubs, each a copy of the 4 shards' roster.
  WATCH_HUBS: "global=2",
};

/** Webhooks go to a real local receiver (test/webhooks/receiverServer.ts); retries come at once. */
const webhookPort = await freePort();
process.env.WEBHOOK_RECEIVER_PORT = String(webhookPort);
const WEBHOOK_VARS = { WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/hook`, WEBHOOK_SECRET: "test-webhook-secret", WEBHOOK_RETRY_BASE_S: "0" };

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { ...TEST_VARS, ...WEBHOOK_VARS } } })],
  test: { include: ["test/**/*.test.ts"], exclude: ["test/e2e/**"], testTimeout: 20_000, silent: "passed-only", globalSetup: ["test/webhooks/receiverSetup.ts"] },
});
