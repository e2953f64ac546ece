import type { LogTable } from "../target/log-table.js";

/**
 * Refreshes the planner statistics of the columns that the estimates read. Without it the
 * estimates keep counting deleted rows until autovacuum analyzes the table, and PGlite runs no
 * autovacuum at all. Only these columns are sampled, which spares reading the log lines.
 */
export function logAnalyzeSql(table: LogTable): string {
  const columns = [table.id, table.deployment, table.pod, table.timestamp].filter((column): column is string => column !== null);
  return `ANALYZE ${table.table} (${columns.join(", ")})`;
}
