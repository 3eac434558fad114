#!/usr/bin/env node
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { bundledModule } from "./bundledModule.mjs";
import { openApiDocument } from "./export-openapi.mjs";

/**
 * Writes the two API documents the service serves as static assets (public/v1/, not checked in):
 * `/v1/openapi.json` (REST and the socket upgrades) and `/v1/asyncapi.json` (both sockets' frames).
 * They are generated here, at build time, from the routes and zod schemas, so the worker carries no
 * document generator. `predev`, `pretest:e2e` and `predeploy` run it; wrangler.toml's
 * `run_worker_first` leaves those two paths to the assets.
 */
const DIR = fileURLToPath(new URL("../public/v1/", import.meta.url));
const { asyncApiDocument } = await bundledModule("src/protocol/asyncapi.ts");
await mkdir(DIR, { recursive: true });
await writeFile(`${DIR}openapi.json`, JSON.stringify(await openApiDocument()));
await writeFile(`${DIR}asyncapi.json`, JSON.stringify(asyncApiDocument()));
console.log("wrote public/v1/openapi.json and public/v1/asyncapi.json");
