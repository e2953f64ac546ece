import { CLEAR_LEASE_SQL, FENCE_SQL, finalResultSql, itemChangeSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Ends claimed item `$1` under fencing token `$2` CANCELLED after its handler stopped, and records
 * `QueueItemCancelled`. `$3` records affected or null to keep them, `$4` whether to set the
 * checkpoint to the JSON `$5`.
 */
export function itemCancelClaimedSql(names: QueueNames): string {
  return itemChangeSql(names, {
    set: `
      ${finalResultSql()},
      cancel_requested_at = COALESCE(cancel_requested_at, now()),
      status = 'CANCELLED',
      stop_reason = 'cancelled',
      completed_at = now(),
      updated_at = now(),
      ${CLEAR_LEASE_SQL}`,
    where: FENCE_SQL,
    event: { name: `'QueueItemCancelled'` },
  });
}

/**
 * Ends PENDING item `$1` CANCELLED and records `QueueItemCancelled`. A claim holding the row makes
 * this wait and then find the item IN_PROGRESS, so cancel and claim never both apply.
 */
export function itemCancelPendingSql(names: QueueNames): string {
  return itemChangeSql(names, {
    set: `
      status = 'CANCELLED',
      stop_reason = 'cancelled',
      cancel_requested_at = now(),
      completed_at = now(),
      updated_at = now(),
      ${CLEAR_LEASE_SQL}`,
    where: `id = $1::bigint AND status = 'PENDING'`,
    event: { name: `'QueueItemCancelled'` },
  });
}

/** Marks IN_PROGRESS item `$1` as asked to stop; its worker finds out on its next fenced write. No event. */
export function itemRequestCancelSql(names: QueueNames): string {
  return `UPDATE ${names.items} SET
      updated_at = CASE WHEN cancel_requested_at IS NULL THEN now() ELSE updated_at END,
      cancel_requested_at = COALESCE(cancel_requested_at, now())
    WHERE id = $1::bigint AND status = 'IN_PROGRESS'
    RETURNING *`;
}
