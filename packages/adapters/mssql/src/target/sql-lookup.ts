import type { PurgeRange } from "@logmk/workqueue";
import { type SqlStatement, param } from "../executor.js";
import { podConditions, textParameter } from "./sql-chunk.js";
import { type LogTable, textVariableType } from "./tables.js";

/** Highest log id, read from the end of the primary key. */
export function logMaxId(table: LogTable): SqlStatement {
  return { name: "logMaxId", text: `SELECT MAX(${table.id}) AS [MaxId] FROM ${table.table};`, parameters: [] };
}

/**
 * Loads the histogram of the statistics whose first column is `@HistogramColumn` into
 * `@Histogram`, or nothing when there are none. Needs SQL Server 2016 SP1 CU2 or later.
 */
function histogramLoad(table: LogTable): string {
  return `DECLARE @ObjectId int = OBJECT_ID(@Table);
DECLARE @StatsId int;
DECLARE @Histogram TABLE ([Step] int NOT NULL PRIMARY KEY, [HighKey] ${textVariableType(table)} NULL, [EqualRows] float NOT NULL, [AverageRangeRows] float NOT NULL);
${histogramInsert(table)}`;
}

/** Finds the statistics led by `@HistogramColumn` and copies their histogram into `@Histogram`. */
function histogramInsert(table: LogTable): string {
  return `SET @StatsId = (
  SELECT TOP (1) sc.[stats_id] FROM sys.stats_columns AS sc
  WHERE sc.[object_id] = @ObjectId AND sc.[stats_column_id] = 1 AND sc.[column_id] = COLUMNPROPERTY(@ObjectId, @HistogramColumn, 'ColumnId')
  ORDER BY sc.[stats_id]
);
IF @StatsId IS NOT NULL
  INSERT INTO @Histogram ([Step], [HighKey], [EqualRows], [AverageRangeRows])
  SELECT h.[step_number], CONVERT(${textVariableType(table)}, h.[range_high_key]), h.[equal_rows], h.[average_range_rows]
  FROM sys.dm_db_stats_histogram(@ObjectId, @StatsId) AS h;`;
}

/** Rows the histogram gives a key: the step's equal rows on its boundary, else the step's average. */
function histogramRows(keyExpression: string): string {
  return `(SELECT TOP (1) CASE WHEN h.[HighKey] = ${keyExpression} THEN h.[EqualRows] ELSE h.[AverageRangeRows] END
   FROM @Histogram AS h WHERE h.[HighKey] >= ${keyExpression} ORDER BY h.[Step])`;
}

/**
 * Facts for a row estimate without counting: the pod's rows from the histogram of statistics led
 * by the pod column (SQL Server creates them when a query filters on the pod column and automatic
 * statistics are on), and the pod's oldest and newest TimeStamp from two index seeks. Without
 * such statistics it counts the pod's index entries, but at most `@CountCap`.
 */
export function logPodStatistics(table: LogTable, range: Pick<PurgeRange, "deployment" | "podName">, countCap: number): SqlStatement {
  const pod = podConditions(table, range, "l");
  return {
    name: "logPodStatistics",
    text: `SET NOCOUNT ON;
${histogramLoad(table)}
DECLARE @PodRows float = ${histogramRows("@Pod")};
DECLARE @Capped bit = 0;
DECLARE @Oldest datetime2(7) = (SELECT TOP (1) l.${table.timestamp} FROM ${table.table} AS l WHERE ${pod.sql} ORDER BY l.${table.timestamp});
DECLARE @Newest datetime2(7) = (SELECT TOP (1) l.${table.timestamp} FROM ${table.table} AS l WHERE ${pod.sql} ORDER BY l.${table.timestamp} DESC);
IF @PodRows IS NULL AND @Oldest IS NOT NULL
BEGIN
  SET @PodRows = (SELECT COUNT_BIG(*) FROM (SELECT TOP (@CountCap) 1 AS [Row] FROM ${table.table} AS l WHERE ${pod.sql} ORDER BY l.${table.timestamp}) AS capped);
  SET @Capped = 1;
END;
SELECT @PodRows AS [PodRows], @Capped AS [Counted], @Oldest AS [Oldest], @Newest AS [Newest];`,
    parameters: [param.nvarchar("Table", table.plainName, 300), param.nvarchar("HistogramColumn", table.podColumn, 128), param.int("CountCap", countCap), ...pod.parameters],
  };
}

/**
 * Finds the deployments that have logs of a pod with index seeks only: it steps through the
 * distinct deployments of the (Deployment, Pod, TimeStamp) index, one seek each, and probes each
 * for the pod. Rows with a NULL deployment are not listed.
 */
export function logPodDeployments(table: LogTable, podName: string, maxDeployments: number): SqlStatement {
  if (table.deployment === null) {
    return {
      name: "logPodExists",
      text: `SELECT CASE WHEN EXISTS (SELECT 1 FROM ${table.table} WHERE ${table.pod} = @Pod) THEN 1 ELSE 0 END AS [Found];`,
      parameters: [textParameter(table, "Pod", podName)],
    };
  }
  const deployment = table.deployment;
  return {
    name: "logPodDeployments",
    text: `SET NOCOUNT ON;
DECLARE @Found TABLE ([Deployment] ${textVariableType(table)} NOT NULL);
DECLARE @Current ${textVariableType(table)}, @Steps int = 0;
SELECT TOP (1) @Current = ${deployment} FROM ${table.table} WHERE ${deployment} IS NOT NULL ORDER BY ${deployment};
WHILE @Current IS NOT NULL AND @Steps < @MaxDeployments
BEGIN
  IF EXISTS (SELECT 1 FROM ${table.table} WHERE ${deployment} = @Current AND ${table.pod} = @Pod)
    INSERT INTO @Found ([Deployment]) VALUES (@Current);
  SET @Steps = @Steps + 1;
  SET @Current = (SELECT TOP (1) ${deployment} FROM ${table.table} WHERE ${deployment} > @Current ORDER BY ${deployment});
END;
SELECT [Deployment] FROM @Found ORDER BY [Deployment];`,
    parameters: [textParameter(table, "Pod", podName), param.int("MaxDeployments", maxDeployments)],
  };
}

/**
 * Lists pods with index seeks only: a skip scan over the (Deployment, Pod) prefix of the index,
 * two seeks per pod for its oldest and newest TimeStamp, and row counts estimated from statistics
 * (the pod column's histogram, else the deployment's rows shared evenly among its pods).
 */
export function logPods(table: LogTable, maxPods: number): SqlStatement {
  const text = textVariableType(table);
  const deployment = table.deployment;
  const seekPod = deployment === null ? `${table.pod} = @Pod` : `${deployment} = @Deployment AND ${table.pod} = @Pod`;
  const next =
    deployment === null
      ? `SET @Pod = (SELECT TOP (1) ${table.pod} FROM ${table.table} WHERE ${table.pod} > @Pod ORDER BY ${table.pod});`
      : `SET @NextPod = (SELECT TOP (1) ${table.pod} FROM ${table.table} WHERE ${deployment} = @Deployment AND ${table.pod} > @Pod ORDER BY ${table.pod});
  IF @NextPod IS NOT NULL
    SET @Pod = @NextPod;
  ELSE
  BEGIN
    SET @Deployment = (SELECT TOP (1) ${deployment} FROM ${table.table} WHERE ${deployment} > @Deployment ORDER BY ${deployment});
    SET @Pod = (SELECT TOP (1) ${table.pod} FROM ${table.table} WHERE ${deployment} = @Deployment ORDER BY ${table.pod});
  END;`;
  const first =
    deployment === null
      ? `SET @Pod = (SELECT TOP (1) ${table.pod} FROM ${table.table} ORDER BY ${table.pod});`
      : `SELECT TOP (1) @Deployment = ${deployment}, @Pod = ${table.pod} FROM ${table.table} WHERE ${deployment} IS NOT NULL ORDER BY ${deployment}, ${table.pod};`;

  const byDeployment =
    deployment === null
      ? ""
      : `
-- Without statistics led by the pod column, share each deployment's rows among its pods.
IF NOT EXISTS (SELECT 1 FROM @Histogram)
BEGIN
  SET @HistogramColumn = @DeploymentColumn;
  ${histogramInsert(table)}
  UPDATE p SET [Rows] = ${histogramRows("p.[Deployment]")} / (SELECT COUNT(*) FROM @Pods AS same WHERE same.[Deployment] = p.[Deployment])
  FROM @Pods AS p;
END;`;

  return {
    name: "logPods",
    text: `SET NOCOUNT ON;
${histogramLoad(table)}
DECLARE @Pods TABLE ([Position] int IDENTITY(1, 1) PRIMARY KEY, [Deployment] ${text} NULL, [Pod] ${text} NOT NULL, [Oldest] datetime2(7) NULL, [Newest] datetime2(7) NULL, [Rows] float NULL);
DECLARE @Deployment ${text}, @Pod ${text}, @NextPod ${text}, @Count int = 0;
${first}
WHILE @Pod IS NOT NULL AND @Count < @MaxPods
BEGIN
  INSERT INTO @Pods ([Deployment], [Pod], [Oldest], [Newest])
  SELECT @Deployment, @Pod,
    (SELECT TOP (1) ${table.timestamp} FROM ${table.table} WHERE ${seekPod} ORDER BY ${table.timestamp}),
    (SELECT TOP (1) ${table.timestamp} FROM ${table.table} WHERE ${seekPod} ORDER BY ${table.timestamp} DESC);
  SET @Count = @Count + 1;
  ${next}
END;
UPDATE p SET [Rows] = ${histogramRows("p.[Pod]")} FROM @Pods AS p;
${byDeployment}
SELECT [Deployment], [Pod], [Rows], [Oldest], [Newest] FROM @Pods ORDER BY [Position];`,
    parameters: [
      param.nvarchar("Table", table.plainName, 300),
      param.nvarchar("HistogramColumn", table.podColumn, 128),
      ...(table.deploymentColumn === null ? [] : [param.nvarchar("DeploymentColumn", table.deploymentColumn, 128)]),
      param.int("MaxPods", maxPods),
    ],
  };
}
