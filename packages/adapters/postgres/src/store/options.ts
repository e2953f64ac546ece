import { parseOrThrow, type Logger } from "@logmk/workqueue";
import { z } from "zod";
import type { PostgresConnection } from "../executor/connect.js";
import { identifierSchema } from "../identifiers.js";
import { connectionSchema, LoggerSchema } from "../option-schemas.js";
import { CHANNEL_SUFFIX } from "../sql/queue-names.js";

export interface PostgresStoreOptions {
  /** The database holding the queue: a `postgres://` URL, a postgres.js client, a PGlite database or a SqlExecutor. */
  connection: PostgresConnection;
  /**
   * Schema of the queue's tables, created by the migrations when missing. At most 52 characters,
   * because the NOTIFY channel `<schema>.work_queue` must fit Postgres' 63-character limit.
   * @default "workqueue"
   */
  schema?: string;
  /** Applies pending migrations before the store's first statement; `migrate()` does it on request. @default true */
  migrate?: boolean;
  /** Connections in the pool the store opens for a URL. Ignored for a client passed in. @default 10 */
  maxConnections?: number;
  /**
   * Session `statement_timeout` in milliseconds of the pool opened for a URL; 0 keeps the
   * server's setting. Ignored for a client passed in.
   * @default 30000
   */
  statementTimeoutMs?: number;
  /** Receives migrations, notification errors and listener errors. @default silent */
  logger?: Logger;
}

const MAX_SCHEMA_LENGTH = 63 - CHANNEL_SUFFIX.length;

const StoreOptionsSchema = z.object({
  connection: connectionSchema("connection"),
  schema: identifierSchema("schema", MAX_SCHEMA_LENGTH).default("workqueue"),
  migrate: z.boolean({ error: "migrate must be true or false" }).default(true),
  maxConnections: z.number().int().min(1, { error: "maxConnections must be at least 1" }).max(1_000).default(10),
  statementTimeoutMs: z.number().int().nonnegative({ error: "statementTimeoutMs must be 0 or more milliseconds" }).default(30_000),
  logger: LoggerSchema,
}).strict();

export type ResolvedStoreOptions = z.output<typeof StoreOptionsSchema>;

/** Validates the store options once and fills in the defaults. */
export function resolveStoreOptions(options: PostgresStoreOptions): ResolvedStoreOptions {
  return parseOrThrow(StoreOptionsSchema, options, "Postgres store options");
}
