import type { PGliteInterface } from "@electric-sql/pglite";
import type postgres from "postgres";
import type { SqlExecutor } from "./executor.js";
import { createPGliteExecutor } from "./pglite.js";
import { connectPostgresUrl, createPostgresJsExecutor, type PostgresUrlOptions } from "./postgres-js.js";

/**
 * Database connection of the adapter: a `postgres://` URL (the adapter opens and closes its own
 * postgres.js pool), a postgres.js client, a PGlite database, or any {@link SqlExecutor}.
 * Clients passed in stay open when the adapter closes.
 */
export type PostgresConnection = string | postgres.Sql | PGliteInterface | SqlExecutor;

function isSqlExecutor(value: object): value is SqlExecutor {
  const candidate = value as Partial<SqlExecutor>;
  return typeof candidate.isPGlite === "boolean" && typeof candidate.query === "function" && typeof candidate.transaction === "function" && typeof candidate.listen === "function";
}

function isPGlite(value: object): value is PGliteInterface {
  const candidate = value as Partial<PGliteInterface>;
  return typeof candidate.execProtocol === "function" && typeof candidate.query === "function" && typeof candidate.listen === "function";
}

function isPostgresJs(value: unknown): value is postgres.Sql {
  const candidate = value as Partial<postgres.Sql>;
  return typeof value === "function" && typeof candidate.unsafe === "function" && typeof candidate.begin === "function";
}

/** True when `value` is one of the accepted connection forms. */
export function isPostgresConnection(value: unknown): value is PostgresConnection {
  if (typeof value === "string") return /^postgres(ql)?:\/\//.test(value);
  if (isPostgresJs(value)) return true;
  return typeof value === "object" && value !== null && (isSqlExecutor(value) || isPGlite(value));
}

/** Turns an accepted connection into an executor; only a URL makes it open (and later close) a pool. */
export function openExecutor(connection: PostgresConnection, urlOptions: PostgresUrlOptions): SqlExecutor {
  if (typeof connection === "string") return connectPostgresUrl(connection, urlOptions);
  if (isPostgresJs(connection)) return createPostgresJsExecutor(connection, { owned: false });
  if (isSqlExecutor(connection)) return borrowExecutor(connection);
  return createPGliteExecutor(connection, { owned: false });
}

/** Uses an executor owned by the caller: closing the adapter leaves it open. */
function borrowExecutor(executor: SqlExecutor): SqlExecutor {
  return {
    isPGlite: executor.isPGlite,
    query: (text, params) => executor.query(text, params),
    transaction: (work) => executor.transaction(work),
    listen: (channel, onNotify) => executor.listen(channel, onNotify),
    close: async () => {},
  };
}

/** Error message for an option that is not a connection. */
export function connectionHint(field: string): string {
  return `${field} must be a postgres:// URL, a postgres.js client, a PGlite database or a SqlExecutor`;
}
