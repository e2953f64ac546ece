import { eventRecordSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Claims up to `$4` eligible items of the types `$2` for worker `$1` with a lease of `$3`
 * milliseconds, and records `QueueItemStarted` for each, in one statement. Every eligibility
 * check sits inside the locked select, and SKIP LOCKED lets concurrent claimers pass over rows
 * another claimer holds instead of waiting for them or taking them twice.
 */
export function itemClaimSql(names: QueueNames): string {
  // NOTE: on a queue bulk-loaded since the last ANALYZE, the planner takes the pending rows for a
  // handful and sorts all of them for every claim instead of walking work_queue_claim_order: about
  // 7 ms per claim at 20,000 pending items, against under 2 ms after ANALYZE. Autovacuum's analyze
  // ends it; claims of many items at once (the processor's localQueueSize) make it matter little.
  // The ids go to the update as an array, which it looks up through the primary key: joined as a
  // CTE, the planner estimates the CTE poorly and hashes the whole table for every claim.
  return `WITH next AS (
    SELECT id FROM ${names.items}
    WHERE status = 'PENDING' AND run_at <= now() AND type = ANY($2::text[])
    ORDER BY priority DESC, run_at, id
    LIMIT $4::integer
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE ${names.items} q SET
      status = 'IN_PROGRESS',
      attempts = q.attempts + 1,
      fencing_token = q.fencing_token + 1,
      locked_by = $1::text,
      started_at = now(),
      updated_at = now(),
      lease_expires_at = clock_timestamp() + $3::double precision * interval '1 millisecond',
      stop_reason = NULL
    WHERE q.id = ANY (ARRAY(SELECT id FROM next))
    RETURNING q.*
  ), recorded AS (
    ${eventRecordSql(names, "claimed", { name: `'QueueItemStarted'` })}
  )
  SELECT * FROM claimed ORDER BY priority DESC, run_at, id`;
}
