import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { AUTHENTICATED_ROUTES, PUBLIC_ROUTES } from "./app";

/**
 * The OpenAPI 3.1 document of the REST API and the socket upgrades, generated at build time (never by
 * the worker, which would then carry the generator): scripts/api-docs.mjs writes it to
 * public/v1/openapi.json, served as a static asset at `/v1/openapi.json`, and `npm run lint:api` lints it.
 */
/** The document's top level; the paths come from the routes' `defineRoute` configs. */
const TOP_LEVEL = {
  openapi: "3.1.0",
  info: {
    title: "Edge presence",
    version: "1.0.0",
    description: "Who is online, on which devices; sockets are described in docs/PROTOCOL.md.",
    // The package is private and the repository has no LICENSE file: proprietary, named by an SPDX
    // `LicenseRef-` (the form SPDX gives licenses of one's own) rather than an invented URL.
    license: { name: "Proprietary: all rights reserved", identifier: "LicenseRef-Proprietary" },
  },
  servers: [
    { url: "http://localhost:8787", description: "`npm run dev` (local workerd)" },
    {
      url: "https://{host}",
      description: "A deployment: the worker's workers.dev address or a custom domain",
      variables: { host: { default: "edge-presence.your-subdomain.workers.dev", description: "Where the worker is deployed" } },
    },
  ],
  tags: [
    { name: "presence", description: "Users' presence: one, many, the caller's own, and time online per day" },
    { name: "scopes", description: "Rosters of a scope (`global`, `org:...`, `zone:...`): members, counts and history" },
    { name: "messages", description: "Messages between users, live to a connected receiver or stored in their inbox" },
    { name: "settings", description: "A user's privacy: who sees them, and who sees when they were last active" },
    { name: "relations", description: "A user's contacts and blocks" },
    { name: "users", description: "Acting on any user (service keys only)" },
    { name: "operations", description: "Health and figures for whoever runs the service" },
    { name: "sockets", description: "WebSocket upgrades: device sockets and scope watches (frames in docs/PROTOCOL.md)" },
    { name: "dev", description: "Local development only (DEV_TOKENS)" },
  ],
};

export function openApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user's JWT; the routes for services take a service key (SERVICE_KEYS) the same way, as `Authorization: Bearer <key>`",
  });
  registry.registerComponent("securitySchemes", "queryToken", {
    type: "apiKey",
    in: "query",
    name: "token",
    description: "Socket upgrades only: the bearer token in `?token=`, for browsers, which cannot set headers on a WebSocket",
  });
  for (const routes of [...PUBLIC_ROUTES, ...AUTHENTICATED_ROUTES]) {
    for (const { middleware: _, ...route } of routes.operations) registry.registerPath(route);
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument(TOP_LEVEL);
}
