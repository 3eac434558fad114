import type * as z from "zod";

/** One readable line for the first problem zod found, e.g. `users: Too big: expected array to have <=100 items`. */
export function describeIssues(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
