import type { z } from "zod";
import { WorkQueueError } from "./errors.js";

/** Parses `value` with `schema`, or throws VALIDATION_FAILED naming each field at fault. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown, subject: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;

  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  throw new WorkQueueError("VALIDATION_FAILED", `Invalid ${subject}: ${summary}.`, { issues, cause: parsed.error });
}
