import type { SqlExecutor, SqlQueryable } from "@logmk/workqueue-postgres";
import type { Logger } from "@logmk/workqueue";
import { analyzeLogTableSql, createLogTableSql, demoLogsLockSql, insertDemoLogsSql, logTableExistsSql, logTableFilledSql } from "./log-table-sql.js";

/** Pods of the demo data: a dozen across four deployments, one name in two deployments. */
export const DEMO_PODS: ReadonlyArray<{ deployment: string; pod: string; resource: string; rows: number }> = [
  { deployment: "checkout", pod: "checkout-7d9f8b6c5-x2k4p", resource: "orders", rows: 40_000 },
  { deployment: "checkout", pod: "checkout-7d9f8b6c5-q8w3n", resource: "orders", rows: 36_000 },
  { deployment: "checkout", pod: "payments-5c6d7e8f9-m4k2j", resource: "payments", rows: 22_000 },
  { deployment: "search", pod: "search-api-6b7c8d9e0-t5r6y", resource: "queries", rows: 30_000 },
  { deployment: "search", pod: "search-indexer-0", resource: "documents", rows: 18_000 },
  { deployment: "search", pod: "search-indexer-1", resource: "documents", rows: 17_000 },
  { deployment: "identity", pod: "auth-8e9f0a1b2-k7l8m", resource: "sessions", rows: 15_000 },
  { deployment: "identity", pod: "auth-8e9f0a1b2-p3o4i", resource: "sessions", rows: 14_000 },
  { deployment: "identity", pod: "worker-0", resource: "tokens", rows: 6_000 },
  { deployment: "reports", pod: "reports-scheduler-0", resource: "reports", rows: 5_000 },
  { deployment: "reports", pod: "reports-renderer-9a8b7c6d5-z1x2c", resource: "pdfs", rows: 9_000 },
  { deployment: "reports", pod: "worker-0", resource: "exports", rows: 8_000 },
];

export const DEMO_DAYS = 30;

/**
 * Creates the LogMk-shaped log table when it is missing. Servers starting together create it once:
 * the check and the statements run under the same lock as the demo fill.
 */
export async function ensureLogTable(sql: SqlExecutor, schema: string, table: string, logger: Logger): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(demoLogsLockSql(), [`${schema}.${table}`]);
    const { rows } = await tx.query<{ exists: boolean }>(logTableExistsSql(), [schema, table]);
    if (rows[0]?.exists) return;
    logger.info({ schema, table }, `Creating the log table ${schema}.${table}`);
    for (const statement of createLogTableSql(schema, table)) await tx.query(statement);
  });
}

/** Checks whether the log table exists. */
export async function logTableExists(sql: SqlQueryable, schema: string, table: string): Promise<boolean> {
  const { rows } = await sql.query<{ exists: boolean }>(logTableExistsSql(), [schema, table]);
  return rows[0]?.exists === true;
}

/**
 * Fills an empty log table with demo logs; returns the number of rows written (0 when it had rows).
 * Servers starting together on one database fill it once: the check and the insert run under a lock.
 */
export async function fillDemoLogs(sql: SqlExecutor, schema: string, table: string, logger: Logger): Promise<number> {
  const started = Date.now();
  const written = await sql.transaction(async (tx) => {
    await tx.query(demoLogsLockSql(), [`${schema}.${table}`]);
    const { rows } = await tx.query<{ filled: boolean }>(logTableFilledSql(schema, table));
    if (rows[0]?.filled) return 0;
    return (await tx.query(insertDemoLogsSql(schema, table), [JSON.stringify(DEMO_PODS), DEMO_DAYS])).rowCount;
  });
  if (written === 0) return 0;
  await sql.query(analyzeLogTableSql(schema, table));
  logger.info({ rows: written, pods: DEMO_PODS.length, durationMs: Date.now() - started }, `Filled ${schema}.${table} with ${written} demo log lines`);
  return written;
}
