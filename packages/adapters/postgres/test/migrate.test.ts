import { PGlite } from "@electric-sql/pglite";
import { isWorkQueueError } from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { createPostgresStore, MIGRATIONS } from "@logmk/workqueue-postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pgliteAdmin, serverAdmin, uniqueSchemaName, type AdminConnection } from "./support/schemas.js";
import { findTestServer } from "./support/server.js";

const lookup = await findTestServer();
const admin: AdminConnection | undefined = lookup.server ? serverAdmin(lookup.server.url) : undefined;
const pg = new PGlite();
// Starting the WebAssembly database takes seconds, and far longer on a loaded machine: do it
// outside the tests' own time limit.
beforeAll(() => pg.waitReady, 120_000);
const pgAdmin = pgliteAdmin(pg);
const schemas: Array<[AdminConnection, string]> = [];

afterEach(async () => {
  for (const [connection, schema] of schemas.splice(0)) await connection.dropSchema(schema);
});
afterAll(async () => {
  await admin?.close();
  await lookup.server?.stop();
  await pg.close();
});

function schemaOn(connection: AdminConnection): string {
  const schema = uniqueSchemaName("migrate");
  schemas.push([connection, schema]);
  return schema;
}

const allVersions = MIGRATIONS.map((migration) => migration.version);

describe("migrations (PGlite)", () => {
  it("creates the schema, tables and indexes once", async () => {
    const schema = schemaOn(pgAdmin);
    const store = createPostgresStore({ connection: pg, schema });

    expect(await store.migrate()).toEqual(allVersions);
    expect(await store.migrate()).toEqual([]);

    const indexes = await pgAdmin.exec(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [schema]);
    const byName = new Map(indexes.map((row) => [row.indexname as string, row.indexdef as string]));
    expect(byName.get("work_queue_claim_order")).toContain("(priority DESC, run_at, id) WHERE (status = 'PENDING'::text)");
    expect(byName.get("work_queue_unique_key_open")).toMatch(/^CREATE UNIQUE INDEX .* \(unique_key\) WHERE \(\(status = ANY/);
    expect([...byName.keys()]).toEqual(expect.arrayContaining(["work_queue_status", "work_queue_pod", "work_queue_finished_retention", "work_queue_events_retention"]));
    const recorded = await pgAdmin.exec(`SELECT version FROM "${schema}".work_queue_migrations ORDER BY version`);
    expect(recorded.map((row) => row.version)).toEqual(allVersions);
    await store.close();
  });

  it("migrates on first use unless told not to", async () => {
    const schema = schemaOn(pgAdmin);
    const lazy = createPostgresStore({ connection: pg, schema });
    expect(await lazy.lastEventId()).toBe(0);

    const other = schemaOn(pgAdmin);
    const manual = createPostgresStore({ connection: pg, schema: other, migrate: false });
    const error = await manual.lastEventId().catch((caught: unknown) => caught);
    const enqueueError = await manual.enqueue({ item: newItem(), maxOpenItems: 10 }).catch((caught: unknown) => caught);
    expect(isWorkQueueError(error, "STORE_FAILED")).toBe(true);
    expect((error as Error).message).toContain(`The work-queue tables do not exist in schema "${other}": call store.migrate()`);
    expect(((error as Error).cause as { code?: string }).code).toBe("42P01");
    expect(isWorkQueueError(enqueueError, "STORE_FAILED")).toBe(true);
    await lazy[Symbol.asyncDispose]();
    await manual.close();
  });

  it("rejects invalid options naming the field", () => {
    const attempts: Array<[Record<string, unknown>, RegExp]> = [
      [{ connection: pg, schema: "bad-name" }, /schema: schema must start with a letter or underscore/],
      [{ connection: pg, schema: "s".repeat(53) }, /schema: schema must be at most 52 characters/],
      [{ connection: "mysql://localhost/x" }, /connection: connection must be a postgres:\/\/ URL/],
      [{ connection: pg, maxConnections: 0 }, /maxConnections: maxConnections must be at least 1/],
      [{ connection: pg, logger: console.log }, /logger: logger must have pino's methods/],
      [{ connection: pg, schemaName: "x" }, /schemaName: unknown option; remove it or check its spelling/],
    ];
    for (const [options, message] of attempts) {
      let caught: unknown;
      try {
        createPostgresStore(options as never);
      } catch (error) {
        caught = error;
      }
      expect(isWorkQueueError(caught, "VALIDATION_FAILED")).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });
});

describe.skipIf(!lookup.server)(`migrations (server${lookup.skipReason ? `; skipped: ${lookup.skipReason}` : ""})`, () => {
  it("migrates once when instances start together", async () => {
    const schema = schemaOn(admin!);
    const stores = Array.from({ length: 3 }, () => createPostgresStore({ connection: lookup.server!.url, schema, maxConnections: 1 }));

    const applied = await Promise.all(stores.map((store) => store.migrate()));
    for (const store of stores) await store.close();

    expect(applied.filter((versions) => versions.length > 0)).toEqual([allVersions]);
    const recorded = await admin!.exec(`SELECT version FROM "${schema}".work_queue_migrations ORDER BY version`);
    expect(recorded.map((row) => row.version)).toEqual(allVersions);
  });
});
