import type { QueueNames } from "./queue-names.js";

/** Deletes one batch of at most `$2` events recorded before `$1`, oldest first. */
export function eventDeleteSql(names: QueueNames): string {
  return `WITH doomed AS (
    SELECT id FROM ${names.events}
    WHERE at < $1::timestamptz
    ORDER BY id
    LIMIT $2::integer
    FOR UPDATE SKIP LOCKED
  )
  DELETE FROM ${names.events} e USING doomed WHERE e.id = doomed.id`;
}
