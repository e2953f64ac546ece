import { type Logger, parseOrThrow, silentLogger, rejectUnknownOptions } from "@logmk/workqueue";
import { z } from "zod";
import type { MssqlConnectionOptions } from "../connection.js";
import { IDENTIFIER_RULE, isValidIdentifier } from "../identifiers.js";

export interface MssqlStoreOptions extends MssqlConnectionOptions {
  /**
   * Schema of the `WorkQueue`, `WorkQueueEvents` and `WorkQueueMigrations` tables; `migrate()`
   * creates it when missing.
   * @default "dbo"
   */
  schema?: string;
  /**
   * Interval of the change-marker query behind `subscribe()`, in milliseconds.
   * @default 1000
   */
  pollIntervalMs?: number;
  /**
   * Request timeout of the store's statements, in milliseconds, for a pool opened from
   * `connectionString`. A given pool keeps its own.
   * @default 15000
   */
  requestTimeoutMs?: number;
  /**
   * How long an enqueue or retry with a queue size limit waits for the queue size lock, in milliseconds.
   * @default 5000
   */
  lockTimeoutMs?: number;
  /**
   * How long `migrate()` waits for another process that is migrating the same schema, in milliseconds.
   * @default 60000
   */
  migrationLockTimeoutMs?: number;
  /**
   * Rows per delete statement of `deleteEventsBefore`; below 5,000 so that SQL Server does not
   * escalate the row locks to a table lock.
   * @default 1000
   */
  cleanupBatchSize?: number;
  /** Structured logger (pino-compatible). @default silent */
  logger?: Logger;
}

const milliseconds = (field: string, max = 2_147_483_647) =>
  z
    .number({ error: `${field} must be a number of milliseconds` })
    .int({ error: `${field} must be a whole number of milliseconds` })
    .min(1, { error: `${field} must be at least 1 ms` })
    .max(max, { error: `${field} must be at most ${max} ms` });

const StoreSettingsSchema = z.object({
  schema: z.string().refine(isValidIdentifier, { error: `schema ${IDENTIFIER_RULE}, such as dbo or workqueue` }),
  pollIntervalMs: milliseconds("pollIntervalMs"),
  requestTimeoutMs: milliseconds("requestTimeoutMs"),
  lockTimeoutMs: milliseconds("lockTimeoutMs"),
  migrationLockTimeoutMs: milliseconds("migrationLockTimeoutMs"),
  cleanupBatchSize: z.number().int().min(1, { error: "cleanupBatchSize must be at least 1" }).max(4_000, { error: "cleanupBatchSize must be at most 4000 so deletes stay below lock escalation" }),
});

export type StoreSettings = z.output<typeof StoreSettingsSchema> & { logger: Logger };

/** Every option name of createMssqlStore. The check below fails to compile when one is missing. */
const STORE_OPTION_NAMES = ["pool", "connectionString", "executor", "schema", "pollIntervalMs", "requestTimeoutMs", "lockTimeoutMs", "migrationLockTimeoutMs", "cleanupBatchSize", "logger"] as const satisfies ReadonlyArray<keyof MssqlStoreOptions>;
const everyStoreOption: Exclude<keyof MssqlStoreOptions, (typeof STORE_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyStoreOption;

/** Applies the defaults and validates the options once, naming the field at fault. */
export function storeSettings(options: MssqlStoreOptions): StoreSettings {
  rejectUnknownOptions(options, STORE_OPTION_NAMES, "SQL Server store option");
  const settings = parseOrThrow(
    StoreSettingsSchema,
    {
      schema: options.schema ?? "dbo",
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
      migrationLockTimeoutMs: options.migrationLockTimeoutMs ?? 60_000,
      cleanupBatchSize: options.cleanupBatchSize ?? 1_000,
    },
    "SQL Server store options",
  );
  return { ...settings, logger: options.logger ?? silentLogger };
}
