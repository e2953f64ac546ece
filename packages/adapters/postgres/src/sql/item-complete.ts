import { CLEAR_LEASE_SQL, FENCE_SQL, FINAL_RESULT_SQL, itemChangeSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Ends item `$1` under fencing token `$2` COMPLETED and records `QueueItemCompleted`. `$3` records
 * affected or null to keep them, `$4` whether to set the checkpoint to the JSON `$5`.
 */
export function itemCompleteSql(names: QueueNames): string {
  return itemChangeSql(names, {
    set: `
      ${FINAL_RESULT_SQL},
      progress = 100,
      error_message = NULL,
      status = 'COMPLETED',
      stop_reason = 'completed',
      completed_at = now(),
      updated_at = now(),
      ${CLEAR_LEASE_SQL}`,
    where: FENCE_SQL,
    event: { name: `'QueueItemCompleted'` },
  });
}
