import { CLEAR_LEASE_SQL, FENCE_SQL, itemChangeSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Ends the attempt of item `$1` under fencing token `$2` with error `$3`: back to PENDING after
 * `$4` milliseconds while attempts are left (`QueueItemRetried`, reason `backoff`), else FAILED
 * (`QueueItemFailed`). `$4` null fails at once; `$5` is the stop reason.
 */
export function itemFailSql(names: QueueNames): string {
  const retry = `($4::double precision IS NOT NULL AND attempts < max_attempts)`;
  return itemChangeSql(names, {
    set: `
      error_message = $3::text,
      status = CASE WHEN ${retry} THEN 'PENDING' ELSE 'FAILED' END,
      run_at = CASE WHEN ${retry} THEN now() + $4::double precision * interval '1 millisecond' ELSE run_at END,
      completed_at = CASE WHEN ${retry} THEN completed_at ELSE now() END,
      stop_reason = $5::text,
      updated_at = now(),
      ${CLEAR_LEASE_SQL}`,
    where: FENCE_SQL,
    event: {
      name: `CASE WHEN s.status = 'PENDING' THEN 'QueueItemRetried' ELSE 'QueueItemFailed' END`,
      reason: `CASE WHEN s.status = 'PENDING' THEN 'backoff' END`,
      errorMessage: `CASE WHEN s.status = 'PENDING' THEN s.error_message END`,
    },
  });
}
