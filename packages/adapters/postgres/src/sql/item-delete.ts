import { FINISHED_STATUSES_SQL } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Deletes one batch of at most `$2` finished items completed before `$1`. SKIP LOCKED keeps
 * instances that clean up at once on separate rows, and the batch limit keeps each statement short.
 */
export function itemDeleteFinishedSql(names: QueueNames): string {
  return `WITH doomed AS (
    SELECT id FROM ${names.items}
    WHERE status IN ${FINISHED_STATUSES_SQL} AND completed_at < $1::timestamptz
    ORDER BY completed_at
    LIMIT $2::integer
    FOR UPDATE SKIP LOCKED
  )
  DELETE FROM ${names.items} q USING doomed WHERE q.id = doomed.id`;
}
