import { randomBytes } from "node:crypto";
import sql from "mssql";

/** The official image the tests start when a Docker engine responds. */
export const SQL_SERVER_IMAGE = "mcr.microsoft.com/mssql/server:2022-latest";

const DOCKER_CHECK_MS = 5_000;

/** How to give the suites a server, printed once per skipped file. */
export const HOW_TO_PROVIDE =
  'To run them, set MSSQL_URL to a connection string, such as MSSQL_URL="Server=127.0.0.1,1433;Database=master;User Id=sa;Password=<password>;Encrypt=false;TrustServerCertificate=true" pnpm vitest run packages/adapters/mssql, or start a Docker engine so that the tests run the mcr.microsoft.com/mssql/server image (docs/sqlserver.md).';

export interface SqlServer {
  /** Why the suites are skipped; undefined when a server is available. */
  skipReason?: string;
  /** Prints the skip reason and how to provide a server, once, when the suites are skipped. */
  reportSkip(suite: string): void;
  /** The server's connection string; starts the container on first use. */
  connectionString(): Promise<string>;
  /** Stops the container when the tests started one. */
  stop(): Promise<void>;
}

async function dockerAnswers(): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    // The Docker client can hang on a socket that accepts but never responds, so the check has its own time limit.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${DOCKER_CHECK_MS / 1000} s`)), DOCKER_CHECK_MS);
    });
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Finds a SQL Server for the integration suites: `MSSQL_URL` when set, else a container started
 * with testcontainers when a Docker engine responds, else a skip reason naming what is missing.
 */
export async function findSqlServer(): Promise<SqlServer> {
  const url = process.env["MSSQL_URL"];
  if (url) return { connectionString: async () => url, stop: async () => {}, reportSkip: () => {} };

  const dockerProblem = await dockerAnswers();
  if (dockerProblem !== null) {
    return {
      skipReason: `no SQL Server: MSSQL_URL is not set and no Docker engine answered (${dockerProblem}); set MSSQL_URL or start Docker, see docs/sqlserver.md`,
      connectionString: () => Promise.reject(new Error("no SQL Server is available")),
      stop: async () => {},
      reportSkip: (suite) => console.warn(`Skipping ${suite}: no SQL Server. MSSQL_URL is not set and no Docker engine answered (${dockerProblem}). ${HOW_TO_PROVIDE}`),
    };
  }

  const { MSSQLServerContainer } = await import("@testcontainers/mssqlserver");
  let started: Promise<Awaited<ReturnType<InstanceType<typeof MSSQLServerContainer>["start"]>>> | undefined;
  return {
    reportSkip: () => {},
    async connectionString() {
      started ??= new MSSQLServerContainer(SQL_SERVER_IMAGE).acceptLicense().start();
      return `${(await started).getConnectionUri()};TrustServerCertificate=true`;
    },
    async stop() {
      if (started) await (await started).stop();
    },
  };
}

/** Returns a fresh schema name, so that suites sharing a server never see each other's tables. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** Runs T-SQL with bound parameters on a pool of the tests' own, for setup and checks. */
export async function runSql(pool: sql.ConnectionPool, text: string, parameters: Record<string, { type: sql.ISqlType | (() => sql.ISqlType); value: unknown }> = {}): Promise<sql.IRecordSet<Record<string, unknown>>> {
  const request = pool.request();
  for (const [name, { type, value }] of Object.entries(parameters)) request.input(name, type, value);
  const result = await request.query(text);
  return result.recordset;
}

/** Drops the tables of a test schema, then the schema. */
export async function dropSchema(pool: sql.ConnectionPool, schema: string, tables: string[]): Promise<void> {
  for (const table of tables) await runSql(pool, `IF OBJECT_ID(@Name, N'U') IS NOT NULL DROP TABLE [${schema}].[${table}];`, { Name: { type: sql.NVarChar(300), value: `${schema}.${table}` } });
  await runSql(pool, `IF SCHEMA_ID(@Schema) IS NOT NULL DROP SCHEMA [${schema}];`, { Schema: { type: sql.NVarChar(128), value: schema } });
}
