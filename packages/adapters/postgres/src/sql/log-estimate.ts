import type { PurgeRange } from "@logmk/workqueue";
import { SqlParams, type LogTable, type TimeSql } from "../target/log-table.js";
import { podConditions, type BoundSql } from "./log-chunk.js";

/**
 * Explains the SELECT of the pod's rows in the purge's range, across deployments. The estimate is
 * the plan's "Plan Rows": statistics only, never a COUNT over the table.
 *
 * The deployment is left out because the planner treats the deployment and pod columns as
 * independent, while a pod name almost always belongs to one deployment: multiplying both
 * selectivities would shrink the estimate by the deployment's share of the table. The caller
 * divides by the number of deployments that have the pod instead.
 */
export function logRangeEstimateSql(table: LogTable, time: TimeSql, range: PurgeRange): BoundSql {
  const params = new SqlParams();
  const conditions = [`${table.pod} = ${params.add(range.podName)}`];
  if (range.from !== null) conditions.push(`${table.timestamp} >= ${time.instant(params.add(range.from.toISOString()))}`);
  conditions.push(`${table.timestamp} < ${time.instant(params.add(range.to.toISOString()))}`);
  conditions.push(`${table.id} <= ${params.add(range.maxId)}`);
  return { text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table.table} WHERE ${conditions.join(" AND ")}`, values: params.values };
}

/** Explains the SELECT of all rows with pod name `$1`, across deployments, for the reason given above. */
export function logPodEstimateSql(table: LogTable): string {
  return `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table.table} WHERE ${table.pod} = $1`;
}

/** Reads "Plan Rows" of the top plan node from an `EXPLAIN (FORMAT JSON)` result row. */
export function planRowsOf(row: Record<string, unknown> | undefined): number {
  const raw = row?.["QUERY PLAN"];
  const plans = (typeof raw === "string" ? JSON.parse(raw) : raw) as Array<{ Plan?: { "Plan Rows"?: number } }> | undefined;
  const rows = plans?.[0]?.Plan?.["Plan Rows"];
  return typeof rows === "number" && Number.isFinite(rows) ? Math.max(0, Math.round(rows)) : 0;
}

/**
 * Checks whether the purge's range contains any row, in one descent of the (deployment, pod,
 * timestamp) index. The planner never estimates fewer than one row, so without this check a range
 * before the pod's oldest log would preview as a few rows to delete.
 */
export function logRangeExistsSql(table: LogTable, time: TimeSql, range: PurgeRange): BoundSql {
  const params = new SqlParams();
  const conditions = podConditions({ table, range }, params);
  if (range.from !== null) conditions.push(`${table.timestamp} >= ${time.instant(params.add(range.from.toISOString()))}`);
  conditions.push(`${table.timestamp} < ${time.instant(params.add(range.to.toISOString()))}`);
  conditions.push(`${table.id} <= ${params.add(range.maxId)}`);
  return { text: `SELECT EXISTS (SELECT 1 FROM ${table.table} WHERE ${conditions.join(" AND ")}) AS found`, values: params.values };
}
