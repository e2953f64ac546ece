import { WorkQueueError } from "@logmk/workqueue";
import { sqlStateOf } from "../errors.js";
import type { SqlExecutor, SqlQueryable } from "../executor/executor.js";

/** SQLSTATE of a statement that names a table that does not exist. */
const UNDEFINED_TABLE = "42P01";

/**
 * Wraps the store's executor so that a statement on queue tables that were never created fails
 * with the fix (migrate first) instead of the driver's bare "relation does not exist". That
 * happens with `migrate: false` before `migrate()` has run, or after the schema was dropped.
 */
export function withMissingTablesHint(executor: SqlExecutor, schema: string): SqlExecutor {
  const explain = (error: unknown): unknown => {
    if (sqlStateOf(error) !== UNDEFINED_TABLE) return error;
    return new WorkQueueError("STORE_FAILED", `The work-queue tables do not exist in schema "${schema}": call store.migrate() before using the store, or create it without migrate: false so that it migrates on first use.`, { cause: error });
  };
  const hinted = (queryable: SqlQueryable): SqlQueryable => ({
    async query<Row>(text: string, params?: readonly unknown[]) {
      try {
        return await queryable.query<Row>(text, params);
      } catch (error) {
        throw explain(error);
      }
    },
  });

  return {
    isPGlite: executor.isPGlite,
    query: hinted(executor).query,
    transaction: (work) =>
      executor.transaction((tx) => work(hinted(tx))).catch((error: unknown) => {
        throw explain(error);
      }),
    listen: (channel, onNotify) => executor.listen(channel, onNotify),
    close: () => executor.close(),
  };
}
