import { type Logger, parseOrThrow, silentLogger, rejectUnknownOptions } from "@logmk/workqueue";
import { z } from "zod";
import type { MssqlConnectionOptions } from "../connection.js";
import { IDENTIFIER_RULE, isValidIdentifier } from "../identifiers.js";

/** Where LogMk's logs live. The defaults match LogMk's `Log` table. */
export interface MssqlLogTableOptions {
  /** @default "dbo" */
  schema?: string;
  /** @default "Log" */
  name?: string;
  /** The `bigint` primary key, growing with inserts. @default "Id" */
  id?: string;
  /** Null when the table has no deployment column. @default "Deployment" */
  deployment?: string | null;
  /** @default "Pod" */
  pod?: string;
  /** A `datetime2` holding UTC, indexed as (Deployment, Pod, TimeStamp). @default "TimeStamp" */
  timestamp?: string;
}

export interface MssqlLogTargetOptions extends MssqlConnectionOptions {
  table?: MssqlLogTableOptions;
  /**
   * SQL type of the deployment and pod columns. Bound values get the same type, because an
   * `nvarchar` value compared with a `varchar` column converts the column and loses the index seek.
   * @default "nvarchar"
   */
  textType?: "nvarchar" | "varchar";
  /**
   * Schema of the queue tables when they are in the log table's database. Each chunk then commits
   * its delete together with the item's fenced progress write, and rolls back when the lease was
   * lost. Null writes progress after the chunk, so a crash in between counts rows twice at most.
   * @default null
   */
  queueSchema?: string | null;
  /**
   * Largest chunk in rows. SQL Server escalates a statement's row locks to a table lock at about
   * 5,000 locks on one table or index, so chunks stay below that whatever the handler asks for.
   * @default 4000
   */
  maxChunkSize?: number;
  /**
   * How long a chunk waits for a row lock before it fails with error 1222 and is retried, in
   * milliseconds; never more than the chunk's statement timeout.
   * @default 2000
   */
  lockTimeoutMs?: number;
  /**
   * Default request timeout of a pool opened from `connectionString`, in milliseconds. Chunks use
   * the handler's shorter statement timeout, and lookups use `queryTimeoutMs`.
   * @default 3600000 (1 hour)
   */
  requestTimeoutMs?: number;
  /** Timeout of the lookups (`now`, `findPod`, `maxLogId`, `estimateRows`, `listPods`), in milliseconds. @default 30000 */
  queryTimeoutMs?: number;
  /** Most pods `listPods` returns. @default 10000 */
  maxPods?: number;
  /** Most deployments `findPod` steps through. @default 1000 */
  maxDeployments?: number;
  /**
   * Without statistics led by the pod column, `estimateRows` counts the pod's index entries, but
   * at most this many.
   * @default 100000
   */
  estimateCountCap?: number;
  /** Structured logger (pino-compatible). @default silent */
  logger?: Logger;
}

const identifier = (field: string, example: string) => z.string().refine(isValidIdentifier, { error: `${field} ${IDENTIFIER_RULE}, such as ${example}` });
const positiveInt = (field: string, max: number, unit = "") =>
  z
    .number({ error: `${field} must be a number${unit}` })
    .int({ error: `${field} must be a whole number${unit}` })
    .min(1, { error: `${field} must be at least 1${unit}` })
    .max(max, { error: `${field} must be at most ${max}${unit}` });

const TargetSettingsSchema = z.object({
  table: z.object({
    schema: identifier("table.schema", "dbo"),
    name: identifier("table.name", "Log"),
    id: identifier("table.id", "Id"),
    deployment: identifier("table.deployment", "Deployment").nullable(),
    pod: identifier("table.pod", "Pod"),
    timestamp: identifier("table.timestamp", "TimeStamp"),
  }),
  textType: z.enum(["nvarchar", "varchar"], { error: "textType must be nvarchar or varchar" }),
  queueSchema: identifier("queueSchema", "dbo").nullable(),
  maxChunkSize: positiveInt("maxChunkSize", 4_000, " of rows; SQL Server escalates to a table lock at about 5,000 locks"),
  lockTimeoutMs: positiveInt("lockTimeoutMs", 2_147_483_647, " of milliseconds"),
  requestTimeoutMs: positiveInt("requestTimeoutMs", 2_147_483_647, " of milliseconds"),
  queryTimeoutMs: positiveInt("queryTimeoutMs", 2_147_483_647, " of milliseconds"),
  maxPods: positiveInt("maxPods", 1_000_000),
  maxDeployments: positiveInt("maxDeployments", 1_000_000),
  estimateCountCap: positiveInt("estimateCountCap", 100_000_000),
});

export type TargetSettings = z.output<typeof TargetSettingsSchema> & { logger: Logger };

/** Every option name of the SQL Server target and of its `table`. The checks below fail to compile when one is missing. */
const TARGET_OPTION_NAMES = [
  "pool",
  "connectionString",
  "executor",
  "table",
  "textType",
  "queueSchema",
  "maxChunkSize",
  "lockTimeoutMs",
  "requestTimeoutMs",
  "queryTimeoutMs",
  "maxPods",
  "maxDeployments",
  "estimateCountCap",
  "logger",
] as const satisfies ReadonlyArray<keyof MssqlLogTargetOptions>;
const TABLE_OPTION_NAMES = ["schema", "name", "id", "deployment", "pod", "timestamp"] as const satisfies ReadonlyArray<keyof MssqlLogTableOptions>;
const everyTargetOption: Exclude<keyof MssqlLogTargetOptions, (typeof TARGET_OPTION_NAMES)[number]> extends never ? true : never = true;
const everyTableOption: Exclude<keyof MssqlLogTableOptions, (typeof TABLE_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyTargetOption;
void everyTableOption;

/** Applies the defaults and validates the options once, naming the field at fault. */
export function targetSettings(options: MssqlLogTargetOptions): TargetSettings {
  rejectUnknownOptions(options, TARGET_OPTION_NAMES, "SQL Server log target option");
  const table = options.table ?? {};
  rejectUnknownOptions(table, TABLE_OPTION_NAMES, "SQL Server log target table option");
  const settings = parseOrThrow(
    TargetSettingsSchema,
    {
      table: {
        schema: table.schema ?? "dbo",
        name: table.name ?? "Log",
        id: table.id ?? "Id",
        deployment: table.deployment === undefined ? "Deployment" : table.deployment,
        pod: table.pod ?? "Pod",
        timestamp: table.timestamp ?? "TimeStamp",
      },
      textType: options.textType ?? "nvarchar",
      queueSchema: options.queueSchema ?? null,
      maxChunkSize: options.maxChunkSize ?? 4_000,
      lockTimeoutMs: options.lockTimeoutMs ?? 2_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 3_600_000,
      queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
      maxPods: options.maxPods ?? 10_000,
      maxDeployments: options.maxDeployments ?? 1_000,
      estimateCountCap: options.estimateCountCap ?? 100_000,
    },
    "SQL Server log target options",
  );
  return { ...settings, logger: options.logger ?? silentLogger };
}
