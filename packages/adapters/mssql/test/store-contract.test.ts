import { createMssqlStore } from "@logmk/workqueue-mssql";
import { type StoreContractFixture, runStoreContract } from "@logmk/workqueue/testing";
import sql from "mssql";
import { afterAll } from "vitest";
import { dropSchema, findSqlServer, runSql, uniqueSchema } from "./support/server.js";

const server = await findSqlServer();
server.reportSkip("the SQL Server store contract suites");
const skip = server.skipReason === undefined ? {} : { skipReason: server.skipReason };

let admin: sql.ConnectionPool | undefined;
let snapshotDatabase: Promise<string> | undefined;

async function adminPool(): Promise<sql.ConnectionPool> {
  admin ??= await new sql.ConnectionPool(await server.connectionString()).connect();
  return admin;
}

/** Creates, once per file, a database with READ_COMMITTED_SNAPSHOT on, where reads see row versions. */
function readCommittedSnapshotDatabase(): Promise<string> {
  snapshotDatabase ??= (async () => {
    const name = uniqueSchema("wq_rcsi");
    const pool = await adminPool();
    await runSql(pool, `CREATE DATABASE [${name}];`);
    await runSql(pool, `ALTER DATABASE [${name}] SET READ_COMMITTED_SNAPSHOT ON;`);
    return name;
  })();
  return snapshotDatabase;
}

afterAll(async () => {
  if (snapshotDatabase && admin) {
    const name = await snapshotDatabase;
    await runSql(admin, `ALTER DATABASE [${name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${name}];`);
  }
  await admin?.close();
  await server.stop();
});

/** A store in a fresh schema of `database` (the connection string's own when undefined). */
async function createFixture(database: string | undefined): Promise<StoreContractFixture> {
  const schema = uniqueSchema("wq");
  const config = sql.ConnectionPool.parseConnectionString(await server.connectionString());
  const pool = new sql.ConnectionPool(database === undefined ? config : { ...config, database });
  const store = createMssqlStore({ pool, schema, pollIntervalMs: 100 });
  await store.migrate();

  return {
    store,
    now: () => store.now(),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async cleanup() {
      // The store leaves a pool it was given open, so the same pool drops the schema.
      await store.close();
      await dropSchema(pool, schema, ["WorkQueueEvents", "WorkQueue", "WorkQueueMigrations"]);
      await pool.close();
    },
  };
}

// Real time passes in these suites, so leases are short.
runStoreContract({ name: "mssql", ...skip, leaseMs: 1_000, create: () => createFixture(undefined) });

// The claim must stay atomic when plain reads see row versions instead of waiting on locks.
runStoreContract({ name: "mssql, READ COMMITTED SNAPSHOT", ...skip, leaseMs: 1_000, create: async () => createFixture(await readCommittedSnapshotDatabase()) });
