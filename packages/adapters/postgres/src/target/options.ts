import { parseOrThrow, type Logger } from "@logmk/workqueue";
import { z } from "zod";
import type { PostgresConnection } from "../executor/connect.js";
import { identifierSchema } from "../identifiers.js";
import { connectionSchema, LoggerSchema } from "../option-schemas.js";
import type { PostgresStore } from "../store/store.js";

/** Column names of the log table; the defaults are LogMk's. */
export interface LogColumnOptions {
  /** Primary key (bigint). @default "Id" */
  id?: string;
  /** Deployment of the pod, or null for a table without one. @default "Deployment" */
  deployment?: string | null;
  /** Pod name. @default "Pod" */
  pod?: string;
  /** Time of the log line: `timestamp without time zone` holding UTC, or `timestamptz`. @default "TimeStamp" */
  timestamp?: string;
}

export interface PostgresLogTargetOptions {
  /**
   * The database holding the log table: a `postgres://` URL (the target opens its own pool, apart
   * from the store's), a postgres.js client, a PGlite database or a SqlExecutor.
   */
  connection: PostgresConnection;
  /** Schema of the log table. @default "public" */
  schema?: string;
  /** Name of the log table. @default "Log" */
  table?: string;
  /** Column names. The table needs an index on (deployment, pod, timestamp), or (pod, timestamp) without a deployment column. */
  columns?: LogColumnOptions;
  /**
   * The queue's store, when the queue's tables and the log table share one database: each
   * chunk's delete and the item's fenced progress write then commit in one transaction, so the
   * count of deleted rows is exact across crashes. Without it, progress is written after each
   * chunk and a crash between the two leaves rows deleted but not counted.
   */
  queueStore?: PostgresStore;
  /**
   * Session `statement_timeout`, in milliseconds, of the pool the target opens for a URL: the
   * limit for its statements outside chunks. Each chunk sets its own short limit. Ignored for a
   * client passed in.
   * @default 3600000 (1 hour)
   */
  purgeTimeoutMs?: number;
  /** `lock_timeout` of each chunk, in milliseconds, never above the chunk's statement timeout. @default 1000 */
  lockTimeoutMs?: number;
  /** Largest chunk the target accepts, in rows; the purge handler's `maxChunkSize` applies besides. No limit by default. */
  maxChunkSize?: number;
  /** Connections in the pool the target opens for a URL. @default 2 */
  maxConnections?: number;
  /** Receives the chunks that rolled back and a missing-index warning. @default silent */
  logger?: Logger;
}

const isQueueStore = (value: unknown): value is PostgresStore =>
  typeof value === "object" && value !== null && typeof (value as PostgresStore).reportProgressIn === "function" && typeof (value as PostgresStore).databaseIdentity === "function";

const TargetOptionsSchema = z.object({
  connection: connectionSchema("connection"),
  schema: identifierSchema("schema").default("public"),
  table: identifierSchema("table").default("Log"),
  columns: z
    .object({
      id: identifierSchema("columns.id").default("Id"),
      deployment: identifierSchema("columns.deployment").nullable().default("Deployment"),
      pod: identifierSchema("columns.pod").default("Pod"),
      timestamp: identifierSchema("columns.timestamp").default("TimeStamp"),
    })
    .strict()
    .default({ id: "Id", deployment: "Deployment", pod: "Pod", timestamp: "TimeStamp" }),
  queueStore: z.custom<PostgresStore>(isQueueStore, { error: "queueStore must be a store made by createPostgresStore" }).optional(),
  purgeTimeoutMs: z.number().int().nonnegative({ error: "purgeTimeoutMs must be 0 or more milliseconds" }).default(3_600_000),
  lockTimeoutMs: z.number().int().positive({ error: "lockTimeoutMs must be greater than 0 milliseconds" }).default(1_000),
  maxChunkSize: z.number().int().min(1, { error: "maxChunkSize must be at least 1 row" }).optional(),
  maxConnections: z.number().int().min(1, { error: "maxConnections must be at least 1" }).max(1_000).default(2),
  logger: LoggerSchema,
});

export type ResolvedTargetOptions = z.output<typeof TargetOptionsSchema>;

/** Validates the target options once and fills in the defaults. */
export function resolveTargetOptions(options: PostgresLogTargetOptions): ResolvedTargetOptions {
  return parseOrThrow(TargetOptionsSchema, options, "Postgres log target options");
}
