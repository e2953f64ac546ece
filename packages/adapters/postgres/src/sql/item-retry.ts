import { CLEAR_LEASE_SQL, eventRecordSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Puts FAILED or CANCELLED item `$1` back to PENDING with its attempts reset, keeping its
 * progress and checkpoint, and records `QueueItemRetried` (reason `manual`) carrying the error it
 * had. An off-peak item waits until `$2` when that is later than now. Returns the item and
 * `previous_error_message`.
 */
export function itemRetrySql(names: QueueNames): string {
  return `WITH previous AS (
    SELECT error_message FROM ${names.items} WHERE id = $1::bigint
  ), updated AS (
    UPDATE ${names.items} SET
      status = 'PENDING',
      attempts = 0,
      error_message = NULL,
      run_at = CASE WHEN schedule = 'off-peak' THEN GREATEST(now(), COALESCE($2::timestamptz, now())) ELSE now() END,
      completed_at = NULL,
      cancel_requested_at = NULL,
      stop_reason = NULL,
      updated_at = now(),
      ${CLEAR_LEASE_SQL}
    WHERE id = $1::bigint AND status IN ('FAILED', 'CANCELLED')
    RETURNING *
  ), recorded AS (
    ${eventRecordSql(names, "updated", { name: `'QueueItemRetried'`, reason: `'manual'`, errorMessage: "(SELECT error_message FROM previous)" })}
  )
  SELECT updated.*, (SELECT error_message FROM previous) AS previous_error_message FROM updated`;
}
