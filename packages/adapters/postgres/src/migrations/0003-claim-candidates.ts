import type { QueueNames } from "../sql/queue-names.js";
import type { Migration } from "./migration.js";

/**
 * A function that locks the next claimable items by walking `work_queue_claim_order`. Inside a
 * plain statement the planner chose that walk only with fresh statistics: on a queue bulk-loaded
 * since the last ANALYZE it took the pending rows for a handful and sorted all of them for every
 * claim, about 7 ms per claim at 20,000 pending items. The function's own settings rule out the
 * sort and the bitmap scan for its query alone, and PL/pgSQL keeps its plan per connection.
 */
export const claimCandidates: Migration = {
  version: 3,
  name: "claim candidates function",
  statements: ({ schemaSql, items }: QueueNames) => [
    `CREATE FUNCTION ${schemaSql}.work_queue_claim_candidates(item_types text[], max_items integer) RETURNS SETOF bigint
      LANGUAGE plpgsql VOLATILE
      SET enable_sort = off
      SET enable_bitmapscan = off
      AS $$
      BEGIN
        RETURN QUERY SELECT id FROM ${items}
          WHERE status = 'PENDING' AND run_at <= now() AND type = ANY (item_types)
          ORDER BY priority DESC, run_at, id
          LIMIT max_items
          FOR UPDATE SKIP LOCKED;
      END
      $$`,
  ],
};
