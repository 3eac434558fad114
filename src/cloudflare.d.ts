// Tells the workers types what this worker exports and binds (what `wrangler types` would generate).
declare namespace Cloudflare {
  type ProjectEnv = import("./env").Env;
  interface GlobalProps {
    mainModule: typeof import("./index");
    durableNamespaces: "PresenceObject" | "RoomObject";
  }
  interface Env extends ProjectEnv {}
}
