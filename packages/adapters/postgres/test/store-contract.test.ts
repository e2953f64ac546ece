import { PGlite } from "@electric-sql/pglite";
import { createPostgresStore } from "@logmk/workqueue-postgres";
import { runStoreContract } from "@logmk/workqueue/testing";
import { afterAll, beforeAll } from "vitest";
import { pgliteAdmin, serverAdmin, uniqueSchemaName, waitMs, type AdminConnection } from "./support/schemas.js";
import { findTestServer } from "./support/server.js";

const pg = new PGlite();
// Starting the WebAssembly database takes seconds, and far longer on a loaded machine: do it
// outside the tests' own time limit.
beforeAll(() => pg.waitReady, 120_000);
const pgAdmin = pgliteAdmin(pg);
const lookup = await findTestServer();
const admin: AdminConnection | undefined = lookup.server ? serverAdmin(lookup.server.url) : undefined;

afterAll(async () => {
  await admin?.close();
  await lookup.server?.stop();
  await pg.close();
});

runStoreContract({
  name: "postgres (PGlite)",
  async create() {
    const schema = uniqueSchemaName("contract");
    const store = createPostgresStore({ connection: pg, schema });
    await store.migrate();
    return {
      store,
      now: () => pgAdmin.now(),
      advance: waitMs,
      async cleanup() {
        await store.close();
        await pgAdmin.dropSchema(schema);
      },
    };
  },
});

runStoreContract({
  name: `postgres (server${lookup.server ? ` from ${lookup.server.source}` : ""})`,
  ...(lookup.skipReason === undefined ? {} : { skipReason: lookup.skipReason }),
  async create() {
    const schema = uniqueSchemaName("contract");
    const store = createPostgresStore({ connection: lookup.server!.url, schema, maxConnections: 10 });
    await store.migrate();
    return {
      store,
      now: () => admin!.now(),
      advance: waitMs,
      async cleanup() {
        await store.close();
        await admin!.dropSchema(schema);
      },
    };
  },
});
