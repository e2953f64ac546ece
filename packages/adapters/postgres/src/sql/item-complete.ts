import { CLEAR_LEASE_SQL, FENCE_SQL, finalResultSql, itemChangeSql, type FinalResultSources } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

function completedSetSql(sources?: FinalResultSources): string {
  return `
      ${finalResultSql(sources)},
      progress = 100,
      error_message = NULL,
      status = 'COMPLETED',
      stop_reason = 'completed',
      completed_at = now(),
      updated_at = now(),
      ${CLEAR_LEASE_SQL}`;
}

/**
 * Ends item `$1` under fencing token `$2` COMPLETED and records `QueueItemCompleted`. `$3` records
 * affected or null to keep them, `$4` whether to set the checkpoint to the JSON `$5`.
 */
export function itemCompleteSql(names: QueueNames): string {
  return itemChangeSql(names, {
    set: completedSetSql(),
    where: FENCE_SQL,
    event: { name: `'QueueItemCompleted'` },
  });
}

/**
 * Completes several claimed items in one statement, each under its own fencing token. `$1` is a
 * JSON array with one object per item: `item_id`, `token`, `new_records` (null keeps them),
 * `set_checkpoint` and `new_checkpoint`. JSON carries the batch the same way through every driver.
 * Returns the items it completed.
 */
export function itemCompleteBatchSql(names: QueueNames): string {
  return itemChangeSql(names, {
    from: {
      name: "batch",
      query: `SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS b(item_id bigint, token bigint, new_records bigint, set_checkpoint boolean, new_checkpoint jsonb)`,
    },
    set: completedSetSql({ records: "batch.new_records", setCheckpoint: "batch.set_checkpoint", checkpoint: "batch.new_checkpoint" }),
    where: `id = batch.item_id AND status = 'IN_PROGRESS' AND fencing_token = batch.token`,
    event: { name: `'QueueItemCompleted'` },
  });
}
