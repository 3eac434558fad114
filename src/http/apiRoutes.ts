import { zValidator } from "@hono/zod-validator";
import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import { Hono, type Context, type MiddlewareHandler, type Next } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./appEnv";
import { validationHook } from "./validation";

/**
 * A route as the OpenAPI document describes it (`@hono/zod-openapi`'s `RouteConfig`: method, path with
 * `{param}`s, request schemas, responses, docs). Only its types come from that package: the document
 * is generated at build time (src/http/openapiDocument.ts), so the worker carries no generator.
 */
export function defineRoute<const R extends RouteConfig>(route: R): R {
  return route;
}

/** `application/json` or a `+json` type, parameters (`; charset=…`) aside: what the JSON validator parses. */
const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;

/** A JSON body's media type is checked before it is parsed: anything else is a 415. */
async function requireJsonMedia(c: Context, next: Next): Promise<void> {
  const type = c.req.header("content-type");
  if (type ? !JSON_MEDIA.test(type.split(";")[0]?.trim() ?? "") : (await c.req.raw.clone().arrayBuffer()).byteLength > 0) {
    throw new HTTPException(415, { message: "Unsupported Media Type" });
  }
  await next();
}

/**
 * Routes whose requests are validated by the zod schemas their `RouteConfig` names (path, query,
 * headers, JSON body), every failure a 400 from `validationHook`, and which remember their configs
 * for the OpenAPI document.
 */
export class ApiRoutes extends Hono<AppEnv> {
  readonly operations: RouteConfig[] = [];

  openapi<R extends RouteConfig>(route: R, handler: (c: Parameters<RouteHandler<R, AppEnv>>[0]) => Response | Promise<Response>): this {
    this.operations.push(route);
    const { middleware, request } = route;
    const validators: MiddlewareHandler[] = [];
    if (request?.query) validators.push(zValidator("query", request.query, validationHook));
    if (request?.params) validators.push(zValidator("param", request.params, validationHook));
    if (request?.headers) validators.push(zValidator("header", request.headers as never, validationHook));
    const media = request?.body?.content["application/json"];
    const body = media && "schema" in media ? media.schema : undefined;
    if (body) {
      const json = zValidator("json", body as never, validationHook);
      validators.push(requireJsonMedia);
      validators.push(
        request?.body?.required
          ? json
          : async (c, next) => {
              if (c.req.header("content-type")) return json(c, next);
              c.req.addValidatedData("json", {});
              await next();
            },
      );
    }
    const routeMiddleware = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
    this.on([route.method], [route.path.replaceAll(/\/{(.+?)}/g, "/:$1")], ...(routeMiddleware as MiddlewareHandler[]), ...validators, handler as never);
    return this;
  }
}
