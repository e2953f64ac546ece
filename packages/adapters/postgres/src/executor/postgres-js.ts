import postgres from "postgres";
import type { Logger } from "@logmk/workqueue";
import type { QueryResult, SqlExecutor, SqlQueryable } from "./executor.js";

/** A postgres.js client (`postgres(url)`) or a transaction of one. */
type PostgresJsClient = postgres.Sql | postgres.TransactionSql;

function queryable(client: PostgresJsClient): SqlQueryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return { rows: result as unknown as Row[], rowCount: result.count ?? result.length };
    },
  };
}

export interface PostgresJsExecutorOptions {
  /** Whether `close()` ends the client, because the adapter created it. */
  owned: boolean;
}

/** Wraps a postgres.js client; LISTEN uses its `listen`, which reconnects after a lost connection. */
export function createPostgresJsExecutor(sql: postgres.Sql, options: PostgresJsExecutorOptions): SqlExecutor {
  return {
    isPGlite: false,
    ...queryable(sql),

    async transaction(work) {
      return (await sql.begin((tx) => work(queryable(tx)))) as Awaited<ReturnType<typeof work>>;
    },

    async listen(channel, onNotify) {
      const subscription = await sql.listen(channel, onNotify);
      return () => subscription.unlisten();
    },

    async close() {
      if (options.owned) await sql.end({ timeout: 5 });
    },
  };
}

export interface PostgresUrlOptions {
  /** Connections in the pool. */
  maxConnections: number;
  /** Session `statement_timeout` in milliseconds; 0 leaves the server's setting. */
  statementTimeoutMs: number;
  /** Name shown in `pg_stat_activity`. */
  applicationName: string;
  logger: Logger;
}

/** Opens a postgres.js pool for `url`; server notices go to the logger instead of the console. */
export function connectPostgresUrl(url: string, options: PostgresUrlOptions): SqlExecutor {
  const connection: Record<string, string | number> = { application_name: options.applicationName };
  if (options.statementTimeoutMs > 0) connection.statement_timeout = options.statementTimeoutMs;

  const sql = postgres(url, {
    max: options.maxConnections,
    connection,
    onnotice: (notice) => options.logger.debug({ notice: notice.message, code: notice.code }, `Postgres notice: ${notice.message}`),
  });
  return createPostgresJsExecutor(sql, { owned: true });
}
