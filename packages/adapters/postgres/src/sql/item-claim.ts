import { eventRecordSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Claims up to `$4` eligible items of the types `$2` for worker `$1` with a lease of `$3`
 * milliseconds, and records `QueueItemStarted` for each, in one statement. Every eligibility
 * check sits inside the locked select of work_queue_claim_candidates, and SKIP LOCKED lets
 * concurrent claimers pass over rows another claimer holds instead of waiting for them or taking
 * them twice.
 */
export function itemClaimSql(names: QueueNames): string {
  // The candidates come from work_queue_claim_candidates (migration 3), which walks the claim
  // order index whatever the statistics say. Their ids go to the update as an array, which it
  // looks up through the primary key: joined as a CTE, the planner estimates the CTE poorly and
  // hashes the whole table for every claim.
  return `WITH next AS (
    SELECT id FROM ${names.schemaSql}.work_queue_claim_candidates($2::text[], $4::integer) AS candidates(id)
  ), claimed AS (
    UPDATE ${names.items} q SET
      status = 'IN_PROGRESS',
      attempts = q.attempts + 1,
      records_at_claim = q.records_affected,
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
