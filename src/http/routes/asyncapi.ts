import { Hono } from "hono";
import { asyncApiDocument } from "../../protocol/asyncapi";
import type { AppEnv } from "../appEnv";

/**
 * `GET /v1/asyncapi.json`: the AsyncAPI 3 document of the device and watch sockets. Like
 * `/v1/openapi.json`, it is mounted before CORS and authentication (no token), and is not an operation
 * of the OpenAPI document.
 */
export const asyncApiRoutes = new Hono<AppEnv>().get("/v1/asyncapi.json", (c) => c.json(asyncApiDocument()));
