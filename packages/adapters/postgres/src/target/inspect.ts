import { WorkQueueError, type Logger } from "@logmk/workqueue";
import type { SqlQueryable } from "../executor/executor.js";
import { logColumnsSql, logIndexKeysSql } from "../sql/log-catalog.js";
import { timeSql, type LogTable, type TimeSql } from "./log-table.js";

const TIMESTAMP_TYPES: Readonly<Record<string, TimeSql["kind"]>> = {
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
};

/** Column numbers from an int2[] value: drivers return an array, or its text form when they do not parse it. */
function columnNumbers(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(Number);
  if (typeof value === "string") return value.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number);
  return [];
}

/**
 * Checks the log table against the configured names and reads the timestamp column's type from
 * the catalog. Throws VALIDATION_FAILED naming what is missing; warns when no index starts with
 * the (deployment, pod, timestamp) columns, because every chunk would then scan the table.
 */
export async function inspectLogTable(db: SqlQueryable, table: LogTable, logger: Logger): Promise<TimeSql> {
  const names = table.columnNames;
  const wanted = [names.id, ...(names.deployment === null ? [] : [names.deployment]), names.pod, names.timestamp];
  const { rows } = await db.query<{ name: string; type: string; number: number }>(logColumnsSql(), [table.table, wanted]);
  if (rows.length === 0) {
    throw new WorkQueueError("VALIDATION_FAILED", `The log table ${table.label} was not found, or has none of the columns ${wanted.join(", ")}; check the schema, table and columns options.`);
  }

  const missing = wanted.filter((name) => !rows.some((row) => row.name === name));
  if (missing.length > 0) {
    throw new WorkQueueError("VALIDATION_FAILED", `The log table ${table.label} has no column ${missing.join(", ")}; set the columns option to its column names (names are case-sensitive).`);
  }

  const timestampType = rows.find((row) => row.name === names.timestamp)!.type;
  const kind = TIMESTAMP_TYPES[timestampType];
  if (!kind) {
    throw new WorkQueueError("VALIDATION_FAILED", `The column ${names.timestamp} of ${table.label} is ${timestampType}; the purge needs timestamp without time zone (holding UTC) or timestamp with time zone.`);
  }

  const keyColumns = [names.deployment, names.pod, names.timestamp].filter((name): name is string => name !== null).map((name) => Number(rows.find((row) => row.name === name)!.number));
  const { rows: indexes } = await db.query<{ keys: unknown }>(logIndexKeysSql(), [table.table]);
  const walkable = indexes.some((index) => {
    const keys = columnNumbers(index.keys);
    return keyColumns.every((column, position) => keys[position] === column);
  });
  if (!walkable) {
    const columns = [names.deployment, names.pod, names.timestamp].filter((name) => name !== null).join(", ");
    logger.warn({ table: table.label, columns }, `The log table ${table.label} has no index starting with (${columns}); every purge chunk and pod listing will scan the table. Create one.`);
  }
  return timeSql(kind);
}
