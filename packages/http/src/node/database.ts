import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createPGliteExecutor, createPostgresJsExecutor, type PostgresConnection, type SqlExecutor } from "@logmk/workqueue-postgres";
import postgres from "postgres";
import type { Logger } from "@logmk/workqueue";
import type { ServerConfig } from "./config.js";

/** The database the server runs on, and how to close it. */
export interface ServerDatabase {
  /** Connection for the store and the log target. */
  connection: PostgresConnection;
  /** Executor for the server's own statements, such as creating the demo table. */
  sql: SqlExecutor;
  embedded: boolean;
  /** Location of the database for logs, without credentials. */
  description: string;
  close(): Promise<void>;
}

/** Opens the embedded PGlite database in `dataDir`, or a pool for the Postgres server of `databaseUrl`. */
export async function openServerDatabase(config: ServerConfig, logger: Logger): Promise<ServerDatabase> {
  if (config.databaseUrl !== null) {
    const url = new URL(config.databaseUrl);
    const description = `postgres://${url.hostname}:${url.port || "5432"}${url.pathname}`;
    // One small pool for the server's own statements; the store and the target open their own.
    const client = postgres(config.databaseUrl, { max: 2, onnotice: () => {} });
    const sql = createPostgresJsExecutor(client, { owned: true });
    try {
      await sql.query("SELECT 1");
    } catch (error) {
      await sql.close();
      throw new Error(`Cannot connect to DATABASE_URL (${description}): ${(error as Error).message}. Check that the server runs and the URL's user, password and database are right.`, { cause: error });
    }
    return { connection: config.databaseUrl, sql, embedded: false, description, close: () => sql.close() };
  }

  const dataDir = path.resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  logger.info({ dataDir }, `Opening the embedded database in ${dataDir}`);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir);
  } catch (error) {
    throw new Error(`Cannot open the embedded database in ${dataDir}: ${(error as Error).message}. Another server may be using the folder; stop it or give another WORKQUEUE_DATA_DIR.`, { cause: error });
  }
  const sql = createPGliteExecutor(pg, { owned: true });
  return { connection: pg, sql, embedded: true, description: `PGlite in ${dataDir}`, close: () => sql.close() };
}
