import postgres from "postgres";

/** The server measured when neither DATABASE_URL nor TEST_DATABASE_URL is set. */
export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

export type Sql = postgres.Sql;

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/** A schema name no other run uses: `prefix` and a random suffix. Other helpers share the server. */
export function uniqueSchema(prefix: string): string {
  return `bench_${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Opens a postgres.js pool that ignores notices (DROP ... CASCADE sends many). */
export function openSql(url: string, max = 2): Sql {
  return postgres(url, { max, onnotice: () => {} });
}

export async function dropSchema(sql: Sql, schema: string): Promise<void> {
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Runs `work` with `schemas`, dropping them afterwards whether it succeeded or not. */
export async function withSchemas<T>(sql: Sql, schemas: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    for (const schema of schemas) await dropSchema(sql, schema);
  }
}
