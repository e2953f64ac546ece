import type { PurgeRange } from "@logmk/workqueue";
import { type SqlParameter, type SqlStatement, param } from "../executor.js";
import type { LogTable } from "./tables.js";

/** Where the previous chunk stopped: the exact `datetime2` text of its last TimeStamp, and its Id. */
export interface ChunkCursor {
  timestamp: string;
  id: number;
}

/** A bound pod or deployment name, typed like the column so the index seek needs no conversion. */
export function textParameter(table: LogTable, name: string, value: string | null): SqlParameter {
  return table.textType === "nvarchar" ? param.nvarchar(name, value, 4000) : param.varchar(name, value, 8000);
}

/** Conditions and parameters that select the range's pod (and deployment) on the index prefix. */
export function podConditions(table: LogTable, range: Pick<PurgeRange, "deployment" | "podName">, alias: string): { sql: string; parameters: SqlParameter[] } {
  const prefix = alias === "" ? "" : `${alias}.`;
  const pod = `${prefix}${table.pod} = @Pod`;
  const parameters = [textParameter(table, "Pod", range.podName)];
  if (table.deployment === null) return { sql: pod, parameters };

  if (range.deployment === null) return { sql: `${prefix}${table.deployment} IS NULL AND ${pod}`, parameters };
  return { sql: `${prefix}${table.deployment} = @Deployment AND ${pod}`, parameters: [textParameter(table, "Deployment", range.deployment), ...parameters] };
}

export interface ChunkStatementParams {
  range: PurgeRange;
  cursor: ChunkCursor | null;
  limit: number;
  timeoutMs: number;
  /** Literal for SET LOCK_TIMEOUT, in milliseconds. */
  lockTimeoutMs: number;
}

/**
 * Deletes the next chunk of a purge by key. A probe reads the next `@Limit` keys of the
 * (Deployment, Pod, TimeStamp) index after the cursor, the index carrying Id as the clustering key,
 * and finds the chunk's last key; the DELETE then removes the matching rows of that key range
 * with row locks, so it never touches more than `@Limit` rows and SQL Server keeps below lock
 * escalation. Ties on TimeStamp are ordered by Id, so the cursor never skips or repeats a row.
 * The SET options apply to this batch only, which the driver runs through sp_executesql.
 */
export function logDeleteChunk(table: LogTable, params: ChunkStatementParams): SqlStatement {
  if (!Number.isSafeInteger(params.lockTimeoutMs) || params.lockTimeoutMs < 0) {
    throw new RangeError(`lockTimeoutMs must be a whole number of milliseconds, got ${params.lockTimeoutMs}`);
  }
  const { range, cursor } = params;
  const probePod = podConditions(table, range, "l");
  const deletePod = podConditions(table, range, "");
  const column = (alias: string, name: string) => (alias === "" ? name : `${alias}.${name}`);
  const ts = (alias: string) => column(alias, table.timestamp);
  const id = (alias: string) => column(alias, table.id);

  const parameters: SqlParameter[] = [param.int("Limit", params.limit), param.datetime2("To", range.to), param.bigint("MaxId", range.maxId), ...probePod.parameters];
  let start = (_alias: string) => "";
  if (cursor !== null) {
    // The first condition bounds the index seek; the second drops the keys up to the cursor at its TimeStamp.
    start = (alias) => `\n    AND ${ts(alias)} >= @StartTime AND (${ts(alias)} > @StartTime OR ${id(alias)} > @StartId)`;
    parameters.push(param.varchar("CursorTime", cursor.timestamp, 27), param.bigint("StartId", cursor.id));
  } else if (range.from !== null) {
    start = (alias) => `\n    AND ${ts(alias)} >= @From`;
    parameters.push(param.datetime2("From", range.from));
  }

  return {
    name: "logDeleteChunk",
    timeoutMs: params.timeoutMs,
    text: `SET NOCOUNT ON;
SET XACT_ABORT ON;
SET DEADLOCK_PRIORITY LOW;
-- SET LOCK_TIMEOUT takes no variable; the value is a whole number computed by the adapter.
SET LOCK_TIMEOUT ${params.lockTimeoutMs};
DECLARE @StartTime datetime2(7) = ${cursor === null ? "NULL" : "CONVERT(datetime2(7), @CursorTime, 126)"};
DECLARE @EndTime datetime2(7), @EndId bigint, @Scanned int = 0, @Deleted int = 0;

SELECT TOP (1) @EndTime = k.[TimeStamp], @EndId = k.[Id], @Scanned = k.[Position]
FROM (
  SELECT TOP (@Limit) ${ts("l")} AS [TimeStamp], ${id("l")} AS [Id], ROW_NUMBER() OVER (ORDER BY ${ts("l")}, ${id("l")}) AS [Position]
  FROM ${table.table} AS l
  WHERE ${probePod.sql}${start("l")}
    AND ${ts("l")} < @To
  ORDER BY ${ts("l")}, ${id("l")}
) AS k
ORDER BY k.[Position] DESC;

IF @EndId IS NOT NULL AND @MaxId IS NOT NULL
BEGIN
  DELETE TOP (@Limit) FROM ${table.table} WITH (ROWLOCK)
  WHERE ${deletePod.sql}${start("")}
    AND ${ts("")} <= @EndTime AND (${ts("")} < @EndTime OR ${id("")} <= @EndId)
    AND ${ts("")} < @To
    AND ${id("")} <= @MaxId
  OPTION (MAXDOP 1);
  SET @Deleted = @@ROWCOUNT;
END;

SELECT @Deleted AS [Deleted], @Scanned AS [Scanned], CONVERT(varchar(27), @EndTime, 126) AS [EndTime], @EndId AS [EndId];`,
    parameters,
  };
}
