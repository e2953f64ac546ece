import type { z } from "zod";
import { WorkQueueError } from "./errors.js";

/** Parses `value` with `schema`, or throws VALIDATION_FAILED naming each field at fault. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown, subject: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;

  const issues = parsed.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    // zod reports every unknown key in one issue, so each key gets an issue of its own to be removed by.
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: "unknown option; remove it or check its spelling" }));
    return [{ path, message: issue.message }];
  });
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  throw new WorkQueueError("VALIDATION_FAILED", `Invalid ${subject}: ${summary}.`, { issues, cause: parsed.error });
}

/** Edit distance between two option names, for suggesting the one a misspelt name meant. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Throws VALIDATION_FAILED for option names that `known` does not list, so that a misspelt
 * option fails at once instead of silently taking its default. Suggests the nearest known name.
 */
export function rejectUnknownOptions(options: object, known: readonly string[], subject: string): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;

  const described = unknown.map((key) => {
    const nearest = known.find((name) => name.toLowerCase() === key.toLowerCase() || editDistance(name, key) <= 2);
    return nearest ? `"${key}" (did you mean "${nearest}"?)` : `"${key}"`;
  });
  const issues = unknown.map((key) => ({ path: key, message: "unknown option; remove it" }));
  throw new WorkQueueError("VALIDATION_FAILED", `Unknown ${subject}: ${described.join(", ")}. Remove ${unknown.length === 1 ? "it" : "them"}, or use one of ${known.join(", ")}.`, { issues });
}
