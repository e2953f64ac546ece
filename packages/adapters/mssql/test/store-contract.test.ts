import { createMssqlStore } from "@logmk/workqueue-mssql";
import { runStoreContract } from "@logmk/workqueue/testing";
import sql from "mssql";
import { afterAll } from "vitest";
import { dropSchema, findSqlServer, uniqueSchema } from "./support/server.js";

const server = await findSqlServer();
server.reportSkip("the SQL Server store contract suite");
let admin: sql.ConnectionPool | undefined;

async function adminPool(): Promise<sql.ConnectionPool> {
  admin ??= await new sql.ConnectionPool(await server.connectionString()).connect();
  return admin;
}

afterAll(async () => {
  await admin?.close();
  await server.stop();
});

runStoreContract({
  name: "mssql",
  ...(server.skipReason === undefined ? {} : { skipReason: server.skipReason }),
  // Real time passes in these tests, so leases are short.
  leaseMs: 1_000,
  async create() {
    const schema = uniqueSchema("wq");
    const store = createMssqlStore({ connectionString: await server.connectionString(), schema, pollIntervalMs: 100 });
    await store.migrate();

    return {
      store,
      now: () => store.now(),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async cleanup() {
        await store.close();
        await dropSchema(await adminPool(), schema, ["WorkQueueEvents", "WorkQueue", "WorkQueueMigrations"]);
      },
    };
  },
});
