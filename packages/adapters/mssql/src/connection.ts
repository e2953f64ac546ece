import sql from "mssql";
import { WorkQueueError, type Logger } from "@logmk/workqueue";
import type { SqlExecutor } from "./executor.js";
import { createPoolExecutor } from "./pool-executor.js";

/** Connection source of a store or target: exactly one of the three. */
export interface MssqlConnectionOptions {
  /**
   * A pool the caller owns and closes. It must keep mssql's default `options.useUTC: true`, since
   * every instant is stored in UTC.
   */
  pool?: sql.ConnectionPool;
  /** A connection string, such as `Server=127.0.0.1,1433;Database=logmk;User Id=sa;Password=...;Encrypt=false`. The adapter opens and closes its own pool. */
  connectionString?: string;
  /** A ready executor, for tests and for callers that wrap the driver themselves. */
  executor?: SqlExecutor;
}

export interface ResolvedConnection {
  executor: SqlExecutor;
  /** Closes the pool when the adapter opened it; does nothing otherwise. */
  close(): Promise<void>;
}

function pickOne(options: MssqlConnectionOptions, what: string): "pool" | "connectionString" | "executor" {
  const given = (["pool", "connectionString", "executor"] as const).filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    const found = given.length === 0 ? "none was" : `${given.join(" and ")} were`;
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid ${what} options: give exactly one of pool, connectionString or executor (${found} given).`, {
      issues: [{ path: "pool", message: "exactly one of pool, connectionString or executor is required" }],
    });
  }
  return given[0]!;
}

/**
 * Turns the connection options into an executor. `requestTimeoutMs` becomes the default request
 * timeout of a pool opened from a connection string.
 */
export function resolveConnection(options: MssqlConnectionOptions, settings: { what: string; requestTimeoutMs: number; logger: Logger }): ResolvedConnection {
  const source = pickOne(options, settings.what);

  if (source === "executor") return { executor: options.executor!, close: async () => {} };

  if (source === "pool") {
    const pool = options.pool!;
    const useUTC = (pool as unknown as { config?: { options?: { useUTC?: boolean } } }).config?.options?.useUTC;
    if (useUTC === false) {
      throw new WorkQueueError("VALIDATION_FAILED", `Invalid ${settings.what} options: pool has options.useUTC set to false; every instant is stored in UTC, so create the pool with useUTC true (the mssql default).`, {
        issues: [{ path: "pool", message: "options.useUTC must not be false" }],
      });
    }
    return { executor: createPoolExecutor(pool, { logger: settings.logger }), close: async () => {} };
  }

  const config = sql.ConnectionPool.parseConnectionString(options.connectionString!);
  config.requestTimeout = settings.requestTimeoutMs;
  config.options = { ...config.options, useUTC: true, requestTimeout: settings.requestTimeoutMs };
  const pool = new sql.ConnectionPool(config);
  return {
    executor: createPoolExecutor(pool, { logger: settings.logger }),
    close: () => pool.close(),
  };
}
