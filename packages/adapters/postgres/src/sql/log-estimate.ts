import type { PurgeRange } from "@logmk/workqueue";
import { SqlParams, type LogTable, type TimeSql } from "../target/log-table.js";
import { podConditions, type BoundSql } from "./log-chunk.js";

/**
 * Explains the SELECT of the rows a purge deletes. The estimate is the plan's "Plan Rows":
 * statistics only, never a COUNT over the table.
 */
export function logRangeEstimateSql(table: LogTable, time: TimeSql, range: PurgeRange): BoundSql {
  const params = new SqlParams();
  const conditions = podConditions({ table, range }, params);
  if (range.from !== null) conditions.push(`${table.timestamp} >= ${time.instant(params.add(range.from.toISOString()))}`);
  conditions.push(`${table.timestamp} < ${time.instant(params.add(range.to.toISOString()))}`);
  conditions.push(`${table.id} <= ${params.add(range.maxId)}`);
  return { text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table.table} WHERE ${conditions.join(" AND ")}`, values: params.values };
}

/** Explains the SELECT of all rows of one pod: `$1` the pod, `$2` the deployment when the table has one. */
export function logPodEstimateSql(table: LogTable): string {
  const conditions = [`${table.pod} = $1`];
  if (table.deployment !== null) conditions.push(`${table.deployment} = $2`);
  return `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table.table} WHERE ${conditions.join(" AND ")}`;
}

/** Reads "Plan Rows" of the top plan node from an `EXPLAIN (FORMAT JSON)` result row. */
export function planRowsOf(row: Record<string, unknown> | undefined): number {
  const raw = row?.["QUERY PLAN"];
  const plans = (typeof raw === "string" ? JSON.parse(raw) : raw) as Array<{ Plan?: { "Plan Rows"?: number } }> | undefined;
  const rows = plans?.[0]?.Plan?.["Plan Rows"];
  return typeof rows === "number" && Number.isFinite(rows) ? Math.max(0, Math.round(rows)) : 0;
}
