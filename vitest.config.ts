import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Short timers so idle, heartbeat and grace behaviours happen within a test. */
export const TEST_VARS = {
  JWT_SECRET: "test-secret",
  AWAY_AFTER_MS: "1500",
  OFFLINE_AFTER_MS: "2000",
  DISCONNECT_GRACE_MS: "700",
  JOIN_PUSH_DELAY_MS: "0",
  DEV_TOKENS: "false",
};

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: TEST_VARS } })],
  test: { include: ["test/**/*.test.ts"], exclude: ["test/e2e/**"], testTimeout: 20_000 },
});
