import { CLEAR_LEASE_SQL, eventRecordSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Moves up to `$2` IN_PROGRESS items whose lease expired. An item ends CANCELLED when a cancel
 * was requested. Otherwise it goes back to PENDING after `$1` milliseconds while attempts are
 * left (reason `lease-expired`), or ends FAILED with the message `$3`, a format() template given
 * the attempts and the maximum. Each records its event. SKIP LOCKED lets several instances
 * recover at once without waiting.
 */
export function itemRecoverSql(names: QueueNames): string {
  const cancelled = `q.cancel_requested_at IS NOT NULL`;
  const retried = `(q.cancel_requested_at IS NULL AND q.attempts < q.max_attempts)`;
  const failed = `(q.cancel_requested_at IS NULL AND q.attempts >= q.max_attempts)`;
  return `WITH expired AS (
    SELECT id FROM ${names.items}
    WHERE status = 'IN_PROGRESS' AND lease_expires_at <= now()
    ORDER BY id
    LIMIT $2::integer
    FOR UPDATE SKIP LOCKED
  ), updated AS (
    UPDATE ${names.items} q SET
      status = CASE WHEN ${cancelled} THEN 'CANCELLED' WHEN ${retried} THEN 'PENDING' ELSE 'FAILED' END,
      stop_reason = CASE WHEN ${cancelled} THEN 'cancelled' ELSE 'lease-lost' END,
      run_at = CASE WHEN ${retried} THEN now() + $1::double precision * interval '1 millisecond' ELSE q.run_at END,
      completed_at = CASE WHEN ${retried} THEN q.completed_at ELSE now() END,
      error_message = CASE WHEN ${failed} THEN format($3::text, q.attempts, q.max_attempts) ELSE q.error_message END,
      updated_at = now(),
      ${CLEAR_LEASE_SQL}
    FROM expired WHERE q.id = expired.id
    RETURNING q.*
  ), recorded AS (
    ${eventRecordSql(names, "updated", {
      name: `CASE s.status WHEN 'CANCELLED' THEN 'QueueItemCancelled' WHEN 'PENDING' THEN 'QueueItemRetried' ELSE 'QueueItemFailed' END`,
      reason: `CASE WHEN s.status = 'PENDING' THEN 'lease-expired' END`,
      errorMessage: `CASE WHEN s.status = 'PENDING' THEN s.error_message END`,
    })}
  )
  SELECT * FROM updated ORDER BY id`;
}
