import { CLEAR_LEASE_SQL, FENCE_SQL, itemChangeSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Gives claimed item `$1` under fencing token `$2` back to PENDING without using up the attempt,
 * and records `QueueItemRetried` with reason `$3` (`window-closed` or `shutdown`). `$4` is the
 * next run_at, or null for the database's now.
 */
export function itemReleaseSql(names: QueueNames): string {
  return itemChangeSql(names, {
    set: `
      status = 'PENDING',
      attempts = GREATEST(attempts - 1, 0),
      run_at = COALESCE($4::timestamptz, now()),
      stop_reason = $3::text,
      updated_at = now(),
      ${CLEAR_LEASE_SQL}`,
    where: FENCE_SQL,
    event: { name: `'QueueItemRetried'`, reason: "s.stop_reason" },
  });
}
