import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";

/** A schema name no other test or helper uses: `prefix` and a random suffix. */
export function uniqueSchemaName(prefix: string): string {
  return `wqtest_${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

/** An administrative connection for creating and dropping test schemas and log tables. */
export interface AdminConnection {
  exec(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  dropSchema(schema: string): Promise<void>;
  /** The database's current time. */
  now(): Promise<Date>;
  close(): Promise<void>;
}

function adminOf(run: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>, close: () => Promise<void>): AdminConnection {
  return {
    exec: run,
    async dropSchema(schema) {
      await run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
    async now() {
      const [row] = await run("SELECT now() AS now");
      return row!.now as Date;
    },
    close,
  };
}

export function serverAdmin(url: string): AdminConnection {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  return adminOf(
    async (text, params = []) => [...(await sql.unsafe(text, params as never[]))],
    () => sql.end({ timeout: 1 }),
  );
}

export function pgliteAdmin(pg: PGlite): AdminConnection {
  return adminOf(
    async (text, params) => {
      if (params && params.length > 0) return (await pg.query<Record<string, unknown>>(text, params)).rows;
      const results = await pg.exec(text);
      return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
    },
    async () => {},
  );
}

/** Resolves after `ms` of real time: SQL stores compare leases with the database clock. */
export function waitMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
