import type * as z from "zod";
import { describeIssues } from "../protocol/validation";
import { ApiError } from "../errors";

/** Every route's request validation fails the same way: a 400 with the first problem found. */
export function validationHook(result: { success: true } | { success: false; error: z.core.$ZodError }): void {
  if (!result.success) throw new ApiError(400, "invalid_request", describeIssues(result.error));
}
