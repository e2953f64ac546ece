import type { PGliteInterface, Transaction } from "@electric-sql/pglite";
import type { QueryResult, SqlExecutor, SqlQueryable } from "./executor.js";

function queryable(client: PGliteInterface | Transaction): SqlQueryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query<Row>(text, params as unknown[]);
      const changed = result.command === "SELECT" ? undefined : result.affectedRows;
      return { rows: result.rows, rowCount: changed ?? result.rowCount ?? result.rows.length };
    },
  };
}

export interface PGliteExecutorOptions {
  /** Whether `close()` closes the database, because the adapter opened it. */
  owned: boolean;
}

/**
 * Wraps a PGlite database. PGlite has one connection, so "separate connections" for the store and
 * the purge share it; its transactions lock out every other statement until they end.
 */
export function createPGliteExecutor(pg: PGliteInterface, options: PGliteExecutorOptions): SqlExecutor {
  return {
    isPGlite: true,
    ...queryable(pg),

    transaction(work) {
      return pg.transaction((tx) => work(queryable(tx)));
    },

    async listen(channel, onNotify) {
      // PGlite pastes the channel into LISTEN as written, so quote it to keep its case and dots.
      const quoted = `"${channel.replace(/"/g, '""')}"`;
      await pg.listen(quoted, onNotify);
      // NOTE: the function that PGlite 0.5.17 returns from listen() unlistens by the unquoted name.
      // That is a syntax error for a name with a dot, so call unlisten() with the quoted name.
      return async () => {
        if (!pg.closed) await pg.unlisten(quoted, onNotify);
      };
    },

    async close() {
      if (options.owned && !pg.closed) await pg.close();
    },
  };
}
