import type { Sql } from "../support/database.js";
import { logRowsSql, logTableSql, type LogTableShape } from "./log-table.js";

/** Creates and fills a LogMk-shaped log table in schema `schema` on a Postgres server. */
export async function buildLogTable(sql: Sql, schema: string, shape: LogTableShape): Promise<void> {
  for (const statement of logTableSql(schema)) await sql.unsafe(statement);
  for (const statement of logRowsSql(schema, shape)) await sql.unsafe(statement.text, statement.params as never[]);
}

/** The database's time as an ISO instant: the upper end of a purge of everything logged so far. */
export async function databaseNow(sql: Sql): Promise<string> {
  const [row] = await sql`SELECT now() AS now`;
  return (row!.now as Date).toISOString();
}
