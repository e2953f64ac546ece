import { PermanentJobError } from "@logmk/workqueue";
import type { SqlRow } from "../executor.js";
import type { ChunkCursor } from "./sql-chunk.js";

/** `datetime2` text in ISO 8601 (CONVERT style 126), with up to seven fractional digits. */
const DATETIME2_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/;

/**
 * Reads the cursor stored in an item's checkpoint. A malformed one is a permanent error: retrying
 * cannot fix it, and guessing a position could skip rows.
 */
export function parseCursor(value: unknown): ChunkCursor | null {
  if (value === null || value === undefined) return null;
  const candidate = value as { timestamp?: unknown; id?: unknown };
  if (typeof candidate.timestamp === "string" && DATETIME2_TEXT.test(candidate.timestamp) && Number.isSafeInteger(candidate.id)) {
    return { timestamp: candidate.timestamp, id: candidate.id as number };
  }
  throw new PermanentJobError(`The purge checkpoint ${JSON.stringify(value)} is not a SQL Server log cursor ({ timestamp, id }); it was written by another target. Queue a new purge for this pod.`);
}

export interface ChunkOutcome {
  deleted: number;
  cursor: ChunkCursor | null;
  done: boolean;
}

/** Reads the chunk statement's result: rows deleted, keys scanned, and the last key scanned. */
export function chunkOutcome(row: SqlRow | undefined, previous: ChunkCursor | null, limit: number): ChunkOutcome {
  const deleted = Number(row?.["Deleted"] ?? 0);
  const scanned = Number(row?.["Scanned"] ?? 0);
  const endTime = row?.["EndTime"];
  const endId = row?.["EndId"];
  const cursor = typeof endTime === "string" && endId !== null && endId !== undefined ? { timestamp: endTime, id: Number(endId) } : previous;
  // A probe that found fewer keys than the limit reached the end of the range.
  return { deleted, cursor, done: scanned < limit };
}
