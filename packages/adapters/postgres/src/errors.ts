import type { ChunkErrorKind } from "@logmk/workqueue";

/**
 * SQLSTATE codes that a retry can clear. A serialization failure is a conflict between
 * transactions like a deadlock, so it is retried as one.
 */
const TRANSIENT_SQLSTATES: Readonly<Record<string, ChunkErrorKind>> = {
  "40P01": "deadlock",
  "40001": "deadlock",
  "55P03": "lock-timeout",
  "57014": "statement-timeout",
  "57P01": "connection", // admin_shutdown
  "57P02": "connection", // crash_shutdown
  "57P03": "connection", // cannot_connect_now
  "53300": "connection", // too_many_connections
};

/** Error codes of a lost or refused connection: postgres.js's own and Node's socket errors. */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

const SQLSTATE = /^[0-9A-Z]{5}$/;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Returns the SQLSTATE of a database error from postgres.js or PGlite, or undefined. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = codeOf(error);
  return code !== undefined && SQLSTATE.test(code) ? code : undefined;
}

/** True for a unique violation (23505) on the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (sqlStateOf(error) !== "23505") return false;
  // postgres.js names the field constraint_name, PGlite names it constraint.
  const fields = error as { constraint_name?: unknown; constraint?: unknown };
  return (fields.constraint_name ?? fields.constraint) === constraint;
}

/**
 * Classifies a thrown error as a transient kind that the purge retries, or null. Looks through
 * `cause` chains, since wrappers keep the driver's error there.
 */
export function classifyError(error: unknown): ChunkErrorKind | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = codeOf(current);
    if (code !== undefined) {
      const kind = TRANSIENT_SQLSTATES[code];
      if (kind) return kind;
      if (SQLSTATE.test(code) && code.startsWith("08")) return "connection";
      if (CONNECTION_ERROR_CODES.has(code)) return "connection";
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
