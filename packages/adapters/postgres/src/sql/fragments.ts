import type { QueueNames } from "./queue-names.js";

/** SQL expressions evaluated per changed row `s`: the event name and, for retries, the reason and error. */
export interface EventExpressions {
  name: string;
  reason?: string;
  errorMessage?: string;
}

/**
 * Body of a data-modifying CTE that records one event per row of the CTE `source`, with a jsonb
 * snapshot of the row as the change left it. It runs in the statement that made the change, so
 * the event commits or rolls back with it.
 */
export function eventRecordSql(names: QueueNames, source: string, event: EventExpressions): string {
  return `INSERT INTO ${names.events} (name, item_id, at, item, reason, error_message)
    SELECT ${event.name}, s.id, now(), to_jsonb(s), ${event.reason ?? "NULL"}, ${event.errorMessage ?? "NULL"}
    FROM ${source} s ORDER BY s.id`;
}

/**
 * One statement that updates the items matching `where` with `set`, records `event` for each
 * changed row, and returns the changed rows. `from` names a CTE that `set` and `where` may join.
 */
export function itemChangeSql(names: QueueNames, change: { set: string; where: string; event: EventExpressions; from?: { name: string; query: string } }): string {
  const from = change.from ? `${change.from.name} AS (${change.from.query}), ` : "";
  return `WITH ${from}updated AS (
    UPDATE ${names.items} SET ${change.set}
    ${change.from ? `FROM ${change.from.name} ` : ""}WHERE ${change.where}
    RETURNING *
  ), recorded AS (
    ${eventRecordSql(names, "updated", change.event)}
  )
  SELECT * FROM updated`;
}

/** Statuses of open items, as an SQL list. */
export const OPEN_STATUSES_SQL = `('PENDING', 'IN_PROGRESS')`;

/** Statuses of finished items, as an SQL list. */
export const FINISHED_STATUSES_SQL = `('COMPLETED', 'FAILED', 'CANCELLED')`;

/** Matches the claimed item only while the worker's lease is current: `$1` the id, `$2` the fencing token. */
export const FENCE_SQL = `id = $1 AND status = 'IN_PROGRESS' AND fencing_token = $2`;

/** Columns that end a lease. */
export const CLEAR_LEASE_SQL = `locked_by = NULL, lease_expires_at = NULL`;

/** Sources of the result columns of an ending item: SQL expressions, parameters or batch columns. */
export interface FinalResultSources {
  /** Records affected, or null to keep them. */
  records: string;
  /** Whether to set the checkpoint. */
  setCheckpoint: string;
  /** The checkpoint as JSON text. */
  checkpoint: string;
}

/** Result columns written when a claimed item ends. By default from `$3` records, `$4` whether to set the checkpoint, `$5` its JSON. */
export function finalResultSql(sources: FinalResultSources = { records: "$3::bigint", setCheckpoint: "$4::boolean", checkpoint: "$5::text" }): string {
  return `records_affected = COALESCE(${sources.records}, records_affected),
      checkpoint = CASE WHEN ${sources.setCheckpoint} THEN ${sources.checkpoint}::jsonb ELSE checkpoint END`;
}
