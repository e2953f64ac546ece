import type { PGliteInterface, Transaction } from "@electric-sql/pglite";
import type { QueryResult, SqlExecutor, SqlQueryable } from "./executor.js";

/**
 * Lets the event loop run timers and I/O. PGlite runs a statement on the calling thread and
 * settles its promise without going back to the event loop. A loop of statements, such as a
 * purge's chunks, would otherwise hold off HTTP requests, Server-Sent Events and timers until it ended.
 * `setImmediate` (Node, Bun) costs far less than the 1 ms of `setTimeout(0)`; other runtimes use the latter.
 */
const yieldToEventLoop: () => Promise<void> =
  typeof globalThis.setImmediate === "function" ? () => new Promise((resolve) => setImmediate(resolve)) : () => new Promise((resolve) => setTimeout(resolve, 0));

function queryable(client: PGliteInterface | Transaction, yieldAfter: boolean): SqlQueryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query<Row>(text, params as unknown[]);
      if (yieldAfter) await yieldToEventLoop();
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
    ...queryable(pg, true),

    // Statements inside a transaction run back to back, since nothing else may use PGlite until it ends.
    async transaction(work) {
      const result = await pg.transaction((tx) => work(queryable(tx, false)));
      await yieldToEventLoop();
      return result;
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
