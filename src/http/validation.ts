import type { Hook } from "@hono/zod-openapi";
import { describeIssues } from "../protocol/validation";
import type { AppEnv } from "./appEnv";
import { ApiError } from "../errors";

/** Every route's request validation fails the same way: a 400 with the first problem found. */
export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (!result.success) throw new ApiError(400, "invalid_request", describeIssues(result.error));
};
