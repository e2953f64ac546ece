import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./env.js";
import { type FieldIssue, HttpProblem, quoteValue } from "./problem.js";

/** Converts a zod error into field issues, naming unknown fields one by one so that each can be removed. */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const parent = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ path: parent ? `${parent}.${key}` : key, message: `unknown field ${quoteValue(key)}; remove it` });
      }
      continue;
    }
    issues.push({ path: parent, message: issue.message });
  }
  return issues;
}

/** Parses `value` with `schema`, or throws a 400 problem listing every field at fault. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, value: unknown, subject: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;

  const issues = issuesOf(parsed.error);
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  throw new HttpProblem("VALIDATION_FAILED", `Invalid ${subject}: ${summary}.`, { issues, cause: parsed.error });
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[\w.-]+\+json$/.test(mediaType);
}

/**
 * Reads the body as JSON and validates it. The body size limit is enforced before this runs,
 * by the body-limit middleware.
 */
export async function readJsonBody<Schema extends z.ZodType>(c: Context<AppEnv>, schema: Schema, subject: string): Promise<z.output<Schema>> {
  const contentType = c.req.header("Content-Type") ?? "";
  if (!isJsonMediaType(contentType)) {
    const received = contentType ? `Content-Type ${quoteValue(contentType)}` : "no Content-Type";
    throw new HttpProblem("UNSUPPORTED_MEDIA_TYPE", `The ${subject} must be JSON, but the request has ${received}; send Content-Type: application/json.`);
  }

  const text = await c.req.text();
  if (text.trim() === "") {
    throw new HttpProblem("MALFORMED_JSON", `The request body is empty; send the ${subject} as a JSON object.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpProblem("MALFORMED_JSON", `The request body is not valid JSON (${reason}); send the ${subject} as a JSON object.`, { cause: error });
  }
  return parseInput(schema, value, subject);
}

/** Parses a whole decimal number from a path or query parameter. */
export function parseInteger(name: string, raw: string, range: { min: number; max: number }): number {
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    const issue = { path: name, message: `must be a whole number from ${range.min} to ${range.max}` };
    throw new HttpProblem("VALIDATION_FAILED", `Invalid ${name} ${quoteValue(raw)}: ${name} ${issue.message}.`, { issues: [issue] });
  }
  return value;
}

/** Parses the `{id}` path parameter of an item route. */
export function parseItemId(c: Context<AppEnv>): number {
  return parseInteger("id", c.req.param("id") ?? "", { min: 1, max: Number.MAX_SAFE_INTEGER });
}
