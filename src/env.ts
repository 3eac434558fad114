/**
 * The worker's bindings: generated from wrangler.toml and .dev.vars into worker-configuration.d.ts by
 * `npm run types` (CI fails when that file drifts). Vars are plain strings until `readConfig`.
 */
export type Env = Cloudflare.Env;
