import type { LogTable } from "../target/log-table.js";

/**
 * Lists the deployments that have logs of pod `$1`: a loose index scan over the distinct
 * deployments, then one index probe per deployment for the pod.
 */
export function logPodDeploymentsSql(table: LogTable & { deployment: string }): string {
  const { deployment, pod } = table;
  return `WITH RECURSIVE deployments AS (
    (SELECT ${deployment} AS deployment FROM ${table.table} WHERE ${deployment} IS NOT NULL ORDER BY ${deployment} LIMIT 1)
    UNION ALL
    SELECT (SELECT ${deployment} FROM ${table.table} WHERE ${deployment} > deployments.deployment ORDER BY ${deployment} LIMIT 1)
    FROM deployments WHERE deployments.deployment IS NOT NULL
  )
  SELECT deployments.deployment FROM deployments
  WHERE deployments.deployment IS NOT NULL
    AND EXISTS (SELECT 1 FROM ${table.table} WHERE ${deployment} = deployments.deployment AND ${pod} = $1)
  ORDER BY deployments.deployment`;
}

/** Tells whether any row has pod `$1`, for a table without a deployment column. */
export function logPodExistsSql(table: LogTable): string {
  return `SELECT EXISTS (SELECT 1 FROM ${table.table} WHERE ${table.pod} = $1) AS found`;
}
