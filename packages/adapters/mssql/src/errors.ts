import { type ChunkErrorKind, WorkQueueError, errorMessageOf, isWorkQueueError } from "@logmk/workqueue";

/**
 * Transient errors a purge chunk retries. SQL Server error numbers come from the server's
 * messages; driver codes come from mssql and tedious.
 */
export const TRANSIENT_ERRORS: ReadonlyArray<{ match: { number: number } | { code: string }; kind: ChunkErrorKind; meaning: string }> = [
  { match: { number: 1205 }, kind: "deadlock", meaning: "chosen as deadlock victim" },
  { match: { number: 1222 }, kind: "lock-timeout", meaning: "lock request time out period exceeded (SET LOCK_TIMEOUT)" },
  { match: { code: "ETIMEOUT" }, kind: "statement-timeout", meaning: "request timed out on the client" },
  { match: { code: "ECANCEL" }, kind: "statement-timeout", meaning: "request cancelled" },
  { match: { code: "ESOCKET" }, kind: "connection", meaning: "socket error" },
  { match: { code: "ECONNCLOSED" }, kind: "connection", meaning: "connection closed" },
  { match: { code: "ECONNRESET" }, kind: "connection", meaning: "connection reset by the peer" },
];

/** SQL Server's duplicate-key errors: 2601 for a unique index, 2627 for a unique constraint. */
export const UNIQUE_VIOLATION_NUMBERS: readonly number[] = [2601, 2627];

interface ErrorFacts {
  numbers: number[];
  codes: string[];
  connectionError: boolean;
}

/**
 * Collects SQL error numbers and driver codes from an error and what it wraps: mssql keeps the
 * tedious error as `originalError`, and transactions add `cause` chains.
 */
function factsOf(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { numbers: [], codes: [], connectionError: false };
  const seen = new Set<unknown>();
  let current: unknown = error;

  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null && !seen.has(current); depth++) {
    seen.add(current);
    const record = current as { number?: unknown; code?: unknown; name?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof record.number === "number") facts.numbers.push(record.number);
    if (typeof record.code === "string") facts.codes.push(record.code);
    if (record.name === "ConnectionError") facts.connectionError = true;
    current = record.originalError ?? record.cause;
  }
  return facts;
}

/** Returns the kind of a transient error that a purge chunk may retry, or null. */
export function classifyMssqlError(error: unknown): ChunkErrorKind | null {
  const facts = factsOf(error);
  for (const entry of TRANSIENT_ERRORS) {
    const matched = "number" in entry.match ? facts.numbers.includes(entry.match.number) : facts.codes.includes(entry.match.code);
    // A timeout while connecting is a connection problem, not a slow statement.
    if (matched) return entry.kind === "statement-timeout" && facts.connectionError ? "connection" : entry.kind;
  }
  return null;
}

export function isUniqueViolation(error: unknown): boolean {
  return factsOf(error).numbers.some((number) => UNIQUE_VIOLATION_NUMBERS.includes(number));
}

/** Runs a store operation, turning driver errors into STORE_FAILED with the original as `cause`. */
export async function storeOperation<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isWorkQueueError(error)) throw error;
    throw new WorkQueueError("STORE_FAILED", `SQL Server store: ${operation} failed: ${errorMessageOf(error)}`, { cause: error });
  }
}
