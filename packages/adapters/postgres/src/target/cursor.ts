import { PermanentJobError } from "@logmk/workqueue";
import { z } from "zod";

/** A UTC wall-clock key with microseconds, as `TimeSql.wallText` produces it. */
const WALL_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const WallTextSchema = z.string().regex(WALL_TEXT);

/**
 * Where the walk of the (deployment, pod, timestamp) index stands, stored as the item's
 * checkpoint. Keys are UTC wall-clock texts with microseconds, so they round-trip exactly.
 * - `from`: every row with a timestamp before the key is done.
 * - `after`: every row with a timestamp at or before the key is done.
 * - `at` with `afterId`: rows before the key, and rows at the key with an id up to `afterId`,
 *   are done; used while one timestamp holds more rows than a chunk.
 */
export const LogCursorSchema = z.union([
  z.object({ v: z.literal(1), from: WallTextSchema }).strict(),
  z.object({ v: z.literal(1), after: WallTextSchema }).strict(),
  z.object({ v: z.literal(1), at: WallTextSchema, afterId: z.number().int() }).strict(),
]);

export type LogCursor = z.infer<typeof LogCursorSchema>;

/**
 * Reads a stored cursor; null starts at the beginning of the range. A cursor of another format
 * fails the item at once, because no retry can make it readable.
 */
export function parseLogCursor(value: unknown): LogCursor | null {
  if (value === null || value === undefined) return null;
  const parsed = LogCursorSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new PermanentJobError(
    `The purge checkpoint ${JSON.stringify(value)} is not a cursor of the Postgres log target; it was written by another target. Queue a new purge of the pod to start over.`,
  );
}

/** An instant as a UTC wall-clock key. */
export function wallTextOf(instant: Date): string {
  return `${instant.toISOString().slice(0, 23)}000`;
}
