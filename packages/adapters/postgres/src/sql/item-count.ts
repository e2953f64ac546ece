import type { QueueNames } from "./queue-names.js";

/**
 * Counts items per status, finds the run_at of the oldest PENDING item that may already run, and
 * reads the database's now, all from one snapshot.
 */
export function itemCountByStatusSql(names: QueueNames): string {
  return `SELECT
      (SELECT COALESCE(jsonb_object_agg(status, total), '{}'::jsonb)
         FROM (SELECT status, count(*) AS total FROM ${names.items} GROUP BY status) counted) AS counts,
      (SELECT min(run_at) FROM ${names.items} WHERE status = 'PENDING' AND run_at <= now()) AS oldest_eligible_run_at,
      now() AS now`;
}
